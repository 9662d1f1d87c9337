from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.dashboards import dashboard_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = dashboard_for(request.user)
    return render(request, context.pop("template"), context)
