from django.urls import path

from evaluation import analytics_views, expert_views, rating_views, views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:campaign_pk>/", views.campaign_detail, name="campaign"),
    path("<int:campaign_pk>/model/load/", views.model_load, name="model_load"),
    path("<int:campaign_pk>/run/", views.run, name="run"),
    path("<int:campaign_pk>/scores/", views.score_list, name="scores"),
    path("<int:campaign_pk>/scores/<int:base_pk>/", views.score_detail, name="score_detail"),
    path("<int:campaign_pk>/scores/<int:base_pk>/disqualify/", views.disqualify, name="disqualify"),
    path(
        "<int:campaign_pk>/scores/<int:base_pk>/disqualify/lift/",
        views.disqualify_lift,
        name="disqualify_lift",
    ),
    path("<int:campaign_pk>/quality/", views.quality_list, name="quality"),
    path("<int:campaign_pk>/quality/run/", views.quality_run, name="quality_run"),
    path("<int:campaign_pk>/quality/<int:base_pk>/", views.quality_detail, name="quality_detail"),
    path("<int:campaign_pk>/quality/<int:base_pk>/return/", views.quality_send_back, name="quality_return"),
    path("<int:campaign_pk>/experts/", expert_views.experts, name="experts"),
    path("<int:campaign_pk>/experts/spread/", expert_views.spread, name="expert_spread"),
    path("<int:campaign_pk>/experts/<int:expert_pk>/", expert_views.expert_detail, name="expert_detail"),
    path("review/", expert_views.expert_home, name="expert_home"),
    path("<int:campaign_pk>/review/", expert_views.expert_list, name="expert_list"),
    path("<int:campaign_pk>/review/<int:base_pk>/", expert_views.expert_review, name="expert_review"),
    path(
        "<int:campaign_pk>/review/<int:base_pk>/conflict/",
        expert_views.expert_conflict,
        name="expert_conflict",
    ),
    path("<int:campaign_pk>/ratings/", rating_views.ratings, name="ratings"),
    path("<int:campaign_pk>/ratings/compute/", rating_views.ratings_compute_view, name="ratings_compute"),
    path("<int:campaign_pk>/ratings/publish/", rating_views.ratings_publish_view, name="ratings_publish"),
    path(
        "<int:campaign_pk>/ratings/<int:base_pk>/override/",
        rating_views.rating_override_view,
        name="rating_override",
    ),
    path("stars/", rating_views.my_ratings, name="my_ratings"),
    path("stars/<int:pk>/", rating_views.rating_detail, name="rating_detail"),
    path("<int:campaign_pk>/analytics/", analytics_views.analytics, name="analytics"),
    path(
        "<int:campaign_pk>/analytics/bases/<int:base_pk>/",
        analytics_views.base_analytics,
        name="base_analytics",
    ),
]
