from django.urls import path

from hls.audit import views

# Included under /w/<slug:workspace_slug>/ (hls/urls.py).
urlpatterns = [
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.csv", views.audit_log_export, name="audit-log-export"),
]
