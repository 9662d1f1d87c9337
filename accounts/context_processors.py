from django.http import HttpRequest

from accounts.access import can_manage_registry, can_see_registry_list


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_registry": can_see_registry_list(user),
        "nav_manage_registry": can_manage_registry(user),
    }
