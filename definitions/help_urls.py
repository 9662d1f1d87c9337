from django.urls import path

from definitions import views

app_name = "help"

urlpatterns = [
    path("", views.help_page, name="index"),
    path("<slug:version>/attachment/<int:number>/", views.help_attachment, name="attachment"),
]
