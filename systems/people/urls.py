from django.urls import URLPattern, URLResolver, path

from systems.people import views

# Included under /w/<slug:workspace_slug>/ through systems/urls.py.
urlpatterns: list[URLPattern | URLResolver] = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/consent/", views.person_consent, name="person-consent"),
    path("people/<int:person_id>/identity/", views.person_identity, name="person-identity"),
    path(
        "people/<int:person_id>/identity/edit/",
        views.person_identity_edit,
        name="person-identity-edit",
    ),
    path(
        "people/<int:person_id>/identity/erase/",
        views.person_identity_erase,
        name="person-identity-erase",
    ),
    path(
        "people/<int:person_id>/everything-held/",
        views.person_subject_access,
        name="person-subject-access",
    ),
]
