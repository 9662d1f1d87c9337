"""The ministry's notice for a form version, as the help page shows it: its text, its attachments
(附件1-3) as downloads, and the contacts exactly as printed.

The text lives beside the forms it governs (forms/<version>/notice.txt), so a new year's notice is a
new file, not new code. Pure: reads a file, no models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

FORMS_DIR = Path(settings.BASE_DIR) / "forms"
# A line that opens an attachment: "附件 1", "附件2" (the notice's own headings, alone on the line).
_ATTACHMENT = re.compile(r"^附件\s*(\d+)\s*$")


@dataclass(frozen=True)
class Attachment:
    number: int
    title: str
    text: str

    @property
    def filename(self) -> str:
        return f"附件{self.number} {self.title}.txt".replace("/", "／")


@dataclass(frozen=True)
class Contact:
    unit: str
    people: str
    phones: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    version: str
    number: str  # 工规函〔2022〕530号
    title: str
    body: str  # the notice up to its attachments
    attachments: tuple[Attachment, ...]
    contacts: tuple[Contact, ...]
    deadlines: tuple[str, ...]  # the sentences that set the deadlines, verbatim


def _title_of(text: str) -> str:
    """An attachment's first non-empty line after its heading is its title."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _contacts(body: str) -> tuple[Contact, ...]:
    """（七）联系人及联系方式: "单位:人名" lines each followed by a "电话:" line."""
    part = body.split("联系人及联系方式", 1)[-1].split("附件", 1)[0]
    lines = [line.strip() for line in part.splitlines() if line.strip()]
    contacts: list[Contact] = []
    for index, line in enumerate(lines):
        if line.startswith("电话") or index + 1 >= len(lines) or not lines[index + 1].startswith("电话"):
            continue
        unit, _, people = line.replace("：", ":").partition(":")
        phones = re.split(r"[/、]", re.split(r"[:：]", lines[index + 1], maxsplit=1)[-1])
        contacts.append(
            Contact(unit=unit.strip(), people=people.strip(), phones=tuple(p.strip() for p in phones))
        )
    return tuple(contacts)


@cache
def notice_for(version: str) -> Notice | None:
    """The notice governing form version `version`, None when the repository has none."""
    path = FORMS_DIR / version / "notice.txt"
    if not re.fullmatch(r"[\w-]+", version) or not path.is_file():
        return None
    text = path.read_text(encoding="utf-8").strip("\n")
    lines = text.splitlines()
    starts = [(i, int(m[1])) for i, line in enumerate(lines) if (m := _ATTACHMENT.match(line.strip()))]
    body = "\n".join(lines[: starts[0][0]] if starts else lines).strip()
    attachments = []
    for k, (start, number) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        part = "\n".join(lines[start + 1 : end]).strip()
        attachments.append(Attachment(number=number, title=_title_of(part), text=part))
    notice_number = next((m[0] for line in lines[:10] if (m := re.search(r"工规函〔\d{4}〕\d+号", line))), "")
    title = next((line.strip() for line in lines[:12] if line.strip().endswith("的通知")), "")
    deadlines = tuple(
        sentence.strip() for sentence in re.findall(r"请于[^。]*?前报送[^。]*。", body.replace("\n", ""))
    )
    return Notice(
        version=version,
        number=notice_number,
        title=title,
        body=body,
        attachments=tuple(attachments),
        contacts=_contacts(body),
        deadlines=deadlines,
    )
