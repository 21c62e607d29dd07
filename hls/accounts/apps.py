from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hls.accounts"
    label = "accounts"
