from django.urls import URLPattern, URLResolver, path

from stewardship.setup import views

C = "place-cycles/<int:cycle_id>/"

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("place-cycles/", views.place_list, name="place-list"),
    path("place-cycles/new/", views.place_start, name="place-start"),
    path(C, views.place_detail, name="place-detail"),
    path(C + "setup/<slug:step>/", views.place_step, name="place-step"),
    path(C + "organisations/add/", views.place_organisation_add, name="place-organisation-add"),
    path(
        C + "organisations/<int:organisation_id>/remove/",
        views.place_organisation_remove,
        name="place-organisation-remove",
    ),
    path(C + "principles/add/", views.place_principle_add, name="place-principle-add"),
    path(
        "place-cycles/principles/<int:principle_id>/edit/",
        views.place_principle_edit,
        name="place-principle-edit",
    ),
    path(
        "place-cycles/principles/<int:principle_id>/remove/",
        views.place_principle_remove,
        name="place-principle-remove",
    ),
    path(
        "place-cycles/principles/<int:principle_id>/move/",
        views.place_principle_move,
        name="place-principle-move",
    ),
    path(C + "signatures/add/", views.place_signature_add, name="place-signature-add"),
    path(C + "stewards/add/", views.place_steward_add, name="place-steward-add"),
    path(
        "place-cycles/stewards/<int:steward_role_id>/end/",
        views.place_steward_end,
        name="place-steward-end",
    ),
    path(C + "participation/add/", views.place_participation_add, name="place-participation-add"),
    path(
        "place-cycles/participation/<int:participation_id>/status/",
        views.place_participation_status,
        name="place-participation-status",
    ),
    path(
        "place-cycles/participation/<int:participation_id>/remove/",
        views.place_participation_remove,
        name="place-participation-remove",
    ),
    path(
        C + "accountability/add/",
        views.place_accountability_add,
        name="place-accountability-add",
    ),
    path(
        "place-cycles/accountability/<int:accountability_id>/remove/",
        views.place_accountability_remove,
        name="place-accountability-remove",
    ),
]
