"""The site's URLs plus one page that fails, to see the 500 page as a user would."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("服务器内部错误（测试）")


urlpatterns = [*site, path("boom/", boom)]
