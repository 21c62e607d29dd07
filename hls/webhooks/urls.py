from django.urls import URLPattern, URLResolver, path

from hls.webhooks import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("integrations/webhooks/", views.webhook_list, name="webhook-list"),
    path("integrations/webhooks/new/", views.webhook_create, name="webhook-create"),
    path(
        "integrations/webhooks/<int:subscription_id>/", views.webhook_detail, name="webhook-detail"
    ),
    path(
        "integrations/webhooks/<int:subscription_id>/edit/",
        views.webhook_edit,
        name="webhook-edit",
    ),
    path(
        "integrations/webhooks/<int:subscription_id>/rotate-secret/",
        views.webhook_rotate,
        name="webhook-rotate",
    ),
    path(
        "integrations/webhooks/<int:subscription_id>/enable/",
        views.webhook_enable,
        name="webhook-enable",
    ),
    path(
        "integrations/webhooks/<int:subscription_id>/disable/",
        views.webhook_disable,
        name="webhook-disable",
    ),
    path(
        "integrations/webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/replay/",
        views.webhook_replay,
        name="webhook-replay",
    ),
]
