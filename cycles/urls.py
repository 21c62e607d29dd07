from django.urls import URLPattern, URLResolver, include, path

# Included under /w/<slug:workspace_slug>/ (hls/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("cycles.experiments.urls")),
]
