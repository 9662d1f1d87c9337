from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("submission/<int:submission_pk>/report/", views.report_edit, name="report_edit"),
    path("campaign/<int:campaign_pk>/summaries/", views.summary_list, name="summary_list"),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/summary/",
        views.summary_edit,
        name="summary_edit",
    ),
    path("campaign/<int:campaign_pk>/cases/", views.case_national, name="case_national"),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/cases/",
        views.case_list,
        name="case_list",
    ),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/cases/new/",
        views.case_create_view,
        name="case_create",
    ),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/quota/",
        views.quota_split,
        name="quota_split",
    ),
    path("case/<int:pk>/", views.case_detail, name="case_detail"),
    path("case/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("case/<int:pk>/delete/", views.case_delete_view, name="case_delete"),
]
