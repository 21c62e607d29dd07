from django.urls import URLPattern, URLResolver, path

from stewardship.privacy import views

# Included under /w/<slug:workspace_slug>/ through stewardship/urls.py.
urlpatterns: list[URLPattern | URLResolver] = [
    path("people/erase/", views.person_erase_find, name="person-erase-find"),
    path("people/<int:person_id>/erase/", views.person_erase, name="person-erase"),
    path("retention/", views.retention, name="retention"),
    path("retention/apply/", views.retention_apply, name="retention-apply"),
]
