from django.apps import apps
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from api.endpoints import api

# django-otp's own device admin shows each secret's QR code and answers a missing device with a 500;
# devices are managed on the 账号安全 page (enrol, reset), never in the admin.
for _model in apps.get_models():
    if _model._meta.app_label in ("otp_totp", "otp_static") and admin.site.is_registered(_model):
        admin.site.unregister(_model)

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
    path("audit/", include("audit.urls")),
    path("api/v1/", api.urls),
    path("api/tokens/", include("api.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says; answer instead of logging a 404.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]
