from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.authority_list, name="authority_list"),
    path("submission/<int:pk>/", views.detail, name="detail"),
    path("submission/<int:pk>/submit/", views.submit, name="submit"),
    path("submission/<int:pk>/reopen/", views.reopen_request_view, name="reopen_request"),
    path("explanation/<int:pk>/decide/", views.explanation_decide_view, name="explanation_decide"),
    path("reopen/<int:pk>/decide/", views.reopen_decide_view, name="reopen_decide"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
]
