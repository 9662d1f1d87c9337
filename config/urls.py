from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "示范基地发展质量评价信息管理系统 · 运维管理"
admin.site.site_title = "示范基地信息管理系统"
admin.site.index_title = "运维管理"

urlpatterns = [
    path("", include("accounts.urls")),
    path("registry/", include("registry.urls")),
    path("definitions/", include("definitions.urls")),
    path("help/", include("definitions.help_urls")),
    path("submissions/", include("submissions.urls")),
    path("reports/", include("reports.urls")),
    path("review/", include("review.urls")),
    path("exchange/", include("exchange.urls")),
    path("jobs/", include("jobs.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says; answer instead of logging a 404.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]
