from django.urls import URLPattern, URLResolver, path

from cycles.links import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("cycles/<int:cycle_id>/links/", views.cycle_links, name="cycle-links"),
    path("cycles/<int:cycle_id>/links/add/", views.link_add, name="cycle-link-add"),
    path("cycle-links/<int:cycle_link_id>/end/", views.link_end, name="cycle-link-end"),
    path("cycles/<int:cycle_id>/ask-peer/", views.ask_peer, name="cycle-ask-peer"),
    path("cycles/<int:cycle_id>/copy-design/", views.copy_design, name="cycle-copy-design"),
    path("experiments/<int:experiment_id>/adapt/", views.experiment_adapt, name="experiment-adapt"),
    path("entries/<int:entry_id>/lineage/", views.entry_lineage, name="entry-lineage"),
    path("entries/<int:entry_id>/lineage/add/", views.source_add, name="entry-source-add"),
    path(
        "entry-sources/<int:entry_source_id>/remove/",
        views.source_remove,
        name="entry-source-remove",
    ),
]
