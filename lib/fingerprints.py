"""Data fingerprints: a hash of exactly what is printed, and how it is shown to people. Pure, no models.

They live here, below every app, because both the stored status of a material (submissions.status:
is the sealed 汇总表 still current?) and printing (exchange) need the same function.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any


def short_fingerprint(fingerprint: str) -> str:
    """The first 12 hex digits in groups of four, as printed on every page: 3F2A-9C1B-77D0."""
    head = fingerprint[:12].upper()
    return "-".join(head[i : i + 4] for i in range(0, len(head), 4))


def _is_blank(raw: Any) -> bool:
    # A cleared cell prints exactly like a cell never filled, so both give the same fingerprint.
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | dict) and not raw


def _items(items: Any) -> list[dict[str, str]]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            out.append({"lead": str(item.get("lead") or ""), "content": str(item.get("content") or "")})
        else:
            out.append({"lead": "", "content": str(item)})
    return out


def report_material(report: Any | None) -> dict[str, Any] | None:
    """The printed fields of a development report; None when the base has not written one."""
    if report is None:
        return None
    return {
        "overview": report.overview or "",
        "highlights": _items(report.highlights),
        "practices": _items(report.practices),
        "problems": report.problems or "",
    }


def data_fingerprint(*, submission_values: Iterable[Any], report: Any | None) -> str:
    """SHA-256 (hex) of a canonical JSON of exactly what is printed: every value's form, code, year,
    raw input and entered currency, sorted, and the report's fields. Revisions, timestamps and who
    typed what are not printed, so they do not change it. Pure: objects in, text out."""
    values = sorted(
        (
            [str(v.form), str(v.code), int(v.year), v.raw, v.entered_currency or ""]
            for v in submission_values
            if not _is_blank(v.raw)
        ),
        key=lambda row: (row[0], row[1], row[2]),
    )
    return _digest({"values": values, "report": report_material(report)})


def _digest(material: dict[str, Any]) -> str:
    canonical = json.dumps(material, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def summary_fingerprint(summary: Any | None) -> str:
    """The data version of an authority's work summary as printed: its three parts (None: not yet
    written, which has a version of its own like an unwritten report)."""
    fields = None
    if summary is not None:
        fields = {key: getattr(summary, key) or "" for key in ("progress", "difficulties", "next_steps")}
    return _digest({"summary": fields})


def case_fingerprint(case: Any, aspects: Iterable[str] = ()) -> str:
    """The data version of an excellent case as printed: title, background, practices, results and
    the focused aspects named under the title."""
    return _digest(
        {
            "case": {
                "title": case.title or "",
                "background": case.background or "",
                "practices": _items(case.practices),
                "results": case.results or "",
                "aspects": [str(a) for a in aspects],
            }
        }
    )


def combined_fingerprint(parts: Iterable[str]) -> str:
    """The data version of documents bound together: changes whenever any part's version changes,
    or a part is added, removed or moved."""
    return _digest({"parts": list(parts)})
