from django.urls import URLPattern, URLResolver, include, path

# Included under /w/<slug:workspace_slug>/ (hls/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("stewardship.setup.urls")),
    path("", include("stewardship.questions.urls")),
    path("", include("stewardship.sessions.urls")),
    path("", include("stewardship.notifications.urls")),
    path("", include("stewardship.reports.urls")),
    path("", include("stewardship.burden.urls")),
    path("", include("stewardship.methods.urls")),
    path("", include("stewardship.methods.library_urls")),
    path("", include("stewardship.partners.urls")),
    path("", include("stewardship.privacy.urls")),
]
