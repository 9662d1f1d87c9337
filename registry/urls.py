from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("bases/", views.base_list, name="base_list"),
    path("bases/<int:pk>/", views.base_detail, name="base_detail"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_report, name="import_report"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("import/<int:pk>/discard/", views.import_discard, name="import_discard"),
]
