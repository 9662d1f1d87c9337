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

from review import ministry_views  # noqa: E402

urlpatterns += [
    path("ministry/", ministry_views.progress, name="ministry_progress"),
    path("ministry/authority/<int:pk>/", ministry_views.authority_progress, name="ministry_authority"),
    path("ministry/submission/<int:pk>/", ministry_views.detail, name="ministry_detail"),
    path("ministry/snapshot/<int:pk>.pdf", ministry_views.snapshot_pdf, name="snapshot_pdf"),
    path("ministry/reopen/", ministry_views.reopen_queue, name="ministry_reopen"),
    path("ministry/reopen/<int:pk>/decide/", ministry_views.reopen_decide, name="ministry_reopen_decide"),
    path("ministry/remind/", ministry_views.remind, name="ministry_remind"),
    path("ministry/reminders/", ministry_views.reminder_history, name="reminder_history"),
    path("reminders/", ministry_views.authority_reminders, name="authority_reminders"),
]
