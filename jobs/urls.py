from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/state", views.job_state, name="state"),
    path("<int:pk>/download", views.job_download, name="download"),
]
