from django.urls import URLPattern, URLResolver, path

from cycles.themes import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/new/", views.theme_create, name="theme-create"),
    path("themes/<int:theme_id>/", views.theme_detail, name="theme-detail"),
    path("themes/<int:theme_id>/edit/", views.theme_edit, name="theme-edit"),
    path("themes/<int:theme_id>/merge/", views.theme_merge, name="theme-merge"),
]
