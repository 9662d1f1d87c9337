from django.http import HttpRequest

from permissions.access import visible_notifications


def unread_notifications(request: HttpRequest) -> dict:
    """The unread count in the header. A callable, so the query runs only on pages that show it
    (base.html, once), not for JSON responses or partials rendered with a RequestContext."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache: dict[str, int] = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = visible_notifications(user).filter(read_at__isnull=True).count()
        return cache["n"]

    return {"unread_notifications": count}
