from django.urls import URLPattern, URLResolver, path

from dataio import views

# Included under /w/<slug:workspace_slug>/.
urlpatterns: list[URLPattern | URLResolver] = [
    path("integrations/import/", views.import_list, name="data-import"),
    path("integrations/import/template/", views.import_template, name="data-import-template"),
    path("integrations/import/<int:import_id>/", views.import_detail, name="data-import-detail"),
    path(
        "integrations/import/<int:import_id>/start/",
        views.import_start,
        name="data-import-start",
    ),
    path("integrations/export/", views.export_list, name="data-export"),
    path(
        "integrations/export/<int:data_export_id>/",
        views.export_detail,
        name="data-export-detail",
    ),
    path(
        "integrations/export/<int:data_export_id>/download/",
        views.export_download,
        name="data-export-download",
    ),
]
