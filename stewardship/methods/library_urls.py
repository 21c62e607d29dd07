from django.urls import URLPattern, URLResolver, path

from stewardship.methods import library_views as views

T = "methods/templates/<int:template_id>/"

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py). The run pages are
# stewardship/methods/urls.py.
urlpatterns: list[URLPattern | URLResolver] = [
    path("methods/", views.method_library, name="methods"),
    path("methods/new/", views.template_new, name="method-template-new"),
    path("methods/copy/", views.method_copy, name="method-copy"),
    path(T, views.template_detail, name="method-template"),
    path(f"{T}versions/<int:version>/", views.template_version, name="method-template-version"),
    path(f"{T}edit/", views.template_edit, name="method-template-edit"),
    path(f"{T}edit/json/", views.template_edit_json, name="method-template-edit-json"),
    path(f"{T}archive/", views.template_archive, name="method-template-archive"),
    path("cycles/<int:cycle_id>/methods/choose/", views.method_picker, name="method-picker"),
]
