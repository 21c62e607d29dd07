from django.urls import URLPattern, URLResolver

# Included under /w/<slug:workspace_slug>/ (hls/urls.py).
urlpatterns: list[URLPattern | URLResolver] = []
