from django.urls import path

from hls.api import views

urlpatterns = [
    path("integrations/api-keys/", views.api_keys, name="api-keys"),
    path("integrations/api-keys/new/", views.api_key_create, name="api-key-create"),
    path("integrations/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api-key-revoke"),
]
