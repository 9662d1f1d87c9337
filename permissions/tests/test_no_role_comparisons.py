"""Only the permissions package decides by role: no view, template, service, admin class, template
tag, dashboard or context processor elsewhere compares a user's role.

Asking *who is bound to this base* in a query (`User.objects.filter(role=..., base=...)` to address
a message) is not a decision and is not matched; comparing a role to decide what to show or allow is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Where a role may legitimately be compared: the permissions package; the Role model and the
# account's own binding invariants; demo data and test fixtures that create users of a role.
ALLOWED = (
    "permissions/",
    "accounts/models.py",
    "registry/demo.py",
    "registry/demo_values.py",
    "registry/management/commands/load_demo.py",
    "demo/",
    "bench/",
    "conftest.py",
)
SKIPPED_DIRS = {".venv", ".git", "node_modules", "migrations", "tests", "staticfiles", "media", "__pycache__"}

ROLE_VALUES = "|".join(
    [
        "base_filler",
        "authority_reviewer",
        "ministry_admin",
        "expert",
        "system_admin",
        "security_admin",
        "audit_admin",
    ]
)
PY_PATTERNS = [
    re.compile(r"\brole\s*(==|!=)"),  # user.role == ..., role != ...
    re.compile(r"(==|!=)\s*\w*\.?role\b"),  # ... == user.role
    re.compile(r"\.role\s+(not\s+)?in\b"),  # user.role in (...)
    re.compile(r"(==|!=)\s*Role\.\w+"),  # ... == Role.MINISTRY_ADMIN
    re.compile(r"\bin\s*[(\[{]\s*Role\.\w+"),  # x in (Role.A, Role.B)
    re.compile(r"\bcase\s+Role\.\w+"),  # match user.role: case Role.A
    re.compile(r"frozenset\(\s*[{\[(]\s*Role\.\w+"),  # role sets (the old RoleAdminMixin)
    re.compile(r"^\s*Role\.\w+\s*:"),  # dispatch tables keyed by role
    re.compile(rf"(==|!=)\s*[\"']({ROLE_VALUES})[\"']"),  # ... == "ministry_admin"
    re.compile(r"\b_role\(\s*request"),  # a role looked up from the request
]
TEMPLATE_PATTERNS = [
    re.compile(r"\brole\s*(==|!=)"),
    re.compile(r"\.role\s+(not\s+)?in\b"),
    re.compile(rf"(==|!=)\s*[\"']({ROLE_VALUES})[\"']"),
]


def _checked_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if set(rel.parts[:-1]) & SKIPPED_DIRS or not path.is_file():
            continue
        if path.suffix not in (".py", ".html", ".txt"):
            continue
        if path.suffix == ".txt" and "templates" not in rel.parts:
            continue
        if rel.name.startswith("test_") or any(str(rel).startswith(a) or rel.name == a for a in ALLOWED):
            continue
        files.append(path)
    return files


def offending_lines() -> list[str]:
    found = []
    for path in _checked_files():
        patterns = PY_PATTERNS if path.suffix == ".py" else TEMPLATE_PATTERNS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            if any(p.search(line) for p in patterns):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_role_is_compared_outside_the_permissions_package():
    found = offending_lines()
    assert not found, (
        "Ask permissions.checks (or `can` in templates) instead of comparing roles:\n" + "\n".join(found)
    )


def test_the_scan_covers_views_templates_services_and_admin():
    rels = {str(p.relative_to(ROOT)) for p in _checked_files()}
    for expected in (
        "review/views.py",
        "review/services.py",
        "review/reminders.py",
        "reports/services.py",
        "accounts/admin.py",
        "accounts/dashboards.py",
        "registry/admin.py",
        "templates/base.html",
        "templates/submissions/_head.html",
    ):
        assert expected in rels
    assert "permissions/checks.py" not in rels


def test_the_scan_finds_a_comparison(tmp_path, monkeypatch):
    """The scan itself can fail: a view and a template comparing roles are both reported."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "views.py").write_text("if request.user.role == Role.MINISTRY_ADMIN:\n    pass\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text('{% if user.role == "base_filler" %}x{% endif %}\n')
    (tmp_path / "shop" / "notify.py").write_text("User.objects.filter(role=Role.BASE_FILLER, base=base)\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = offending_lines()
    assert [line.split(":")[0] for line in sorted(found)] == ["shop/views.py", "templates/page.html"]
