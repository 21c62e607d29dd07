from django.urls import URLPattern, URLResolver, path

from stewardship.reports import views

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:report_id>/", views.report_detail, name="report-detail"),
    path("reports/<int:report_id>/assemble/", views.report_assemble, name="report-assemble"),
    path("reports/<int:report_id>/publish/", views.report_publish, name="report-publish"),
    path(
        "reports/<int:report_id>/receiver-account/",
        views.report_receiver_account,
        name="report-receiver-account",
    ),
    path(
        "reports/<int:report_id>/exports/", views.report_export_create, name="report-export-create"
    ),
    path(
        "report-sections/<int:section_id>/edit/",
        views.report_section_edit,
        name="report-section-edit",
    ),
    path(
        "report-sections/<int:section_id>/comments/",
        views.report_comment_add,
        name="report-comment-add",
    ),
    path(
        "report-exports/<int:export_id>/", views.report_export_detail, name="report-export-detail"
    ),
    path(
        "report-exports/<int:export_id>/download/",
        views.report_export_download,
        name="report-export-download",
    ),
]
