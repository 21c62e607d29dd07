from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hls.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from hls.accounts import receivers

        user_logged_in.connect(receivers.signed_in, dispatch_uid="hls.accounts.signed_in")
        user_logged_out.connect(receivers.signed_out, dispatch_uid="hls.accounts.signed_out")
