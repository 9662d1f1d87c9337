from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/explain/", views.explain, name="explain"),
    path("<int:pk>/todo/", views.todo, name="todo"),
    path("<int:pk>/next/", views.next_problem, name="next"),
    path("<int:pk>/<slug:form>/<str:section_code>/", views.section, name="section"),
]
