from django.urls import path

from definitions import views

app_name = "definitions"

urlpatterns = [
    path("<slug:version>/", views.definition_index, name="definition_index"),
    path("<slug:version>/<slug:code>.json", views.definition_json, name="definition_json"),
]
