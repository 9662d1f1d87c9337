"""Every table a page shows is drawn as the system's tables are (`table.grid`: borders, padding, a
header row): the Excel import's preview and the task pages once used a class the stylesheet did not
draw, and their columns ran together ("汇总表!C27 2021年 1.1 销售收入 469.50 十二亿"). Other classes
beside it only adjust (widths, colours)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TABLE = re.compile(r"<table\b[^>]*>")
CLASSES = re.compile(r'class="([^"]*)"')


def _templates() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))


def test_the_grid_is_drawn_by_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"table\.grid th, table\.grid td \{[^}]*border:[^}]*padding:", css)


def test_every_table_of_every_template_is_a_grid():
    tables, loose = 0, []
    for path in _templates():
        for tag in TABLE.findall(path.read_text(encoding="utf-8")):
            tables += 1
            found = CLASSES.search(re.sub(r"\{%.*?%\}", "", tag))
            if not found or "grid" not in found.group(1).split():
                loose.append(f"{path.relative_to(settings.BASE_DIR)}: {tag}")
    assert tables > 50 and not loose, loose
