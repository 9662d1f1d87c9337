"""Deadline day on the production stack, on loopback.

Prepares a database with the demo's 450 bases, starts gunicorn (threaded workers, so connections are
kept alive) with the production settings and WhiteNoise, and plays the last hours before 8月24日:
every filler logs in, opens the form, autosaves changed values again and again, uploads a sealed scan
and submits (half of them double-click); the reviewers of the largest province open their review
list; the ministry opens national progress. Beside them, in the same run, one client asks for a
trivial page (the login form) over a kept-alive connection: the floor every figure is compared with.

The fillers do not move in lock step: as a load tool spawns its users (locust's spawn rate), they
start over the first second, and each pause to think is drawn between half and one and a half times
`think` (the mean stays `think`), from a seeded generator so that runs are alike. Fifty users asking
for the same page at the same millisecond, round after round, measure the size of that burst (its
p95 is about users × CPU per request / cores), not what a page costs a user.

Afterwards it reads the database: every acknowledged save is there with its value, and no material
was submitted twice. Then each kind of request is driven alone at saturation, and its cost in CPU
seconds per request (cores / throughput) is printed beside the floor's.

Run: `make bench` (through bench/bench_deadline.py), or by hand:
`.venv/bin/python -m bench.deadline --db sqlite --users 50`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from django_otp.oath import totp
from PIL import Image

from tests.system.stack import consumer, gunicorn, last_line, production_env, run

SPAWN_SECONDS = 1.0  # the fillers start over this long, one after another (locust's spawn rate)


def pauses(seed: int, think: float) -> Iterator[float]:
    """A filler's pauses to think: uniform between 0.5 and 1.5 × `think`, the mean `think`."""
    draw = random.Random(seed)
    while True:
        yield think * (0.5 + draw.random())


ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Load-Bench-2026!x"
CELLS = [("summary", "1.1"), ("summary", "1.2"), ("summary", "1.3")]
SECTION = "一"
# How long a filler waits for the verdict on the uploaded scan (read on the task queue) before
# submitting anyway; the scans page polls every second, and so does the filler.
SCAN_WAIT_SECONDS = 300.0
SCAN_POLL_SECONDS = 1.0

# Run inside the prepared database with the development settings (load_demo refuses production).
# Prints one JSON line: the accounts and materials the load generator plays.
#
# The fillers play drafts that are ready to submit but for what they do in the run: the demo's
# complete drafts (every required item filled, warnings explained, the development report written),
# found by the material's status (review.status.material_status, the one the submit service reads),
# with the 汇总表 figures the run autosaves. The report's sealed scan, which the run does not
# print, is printed and checked here as the demo's submitted materials get theirs; the 汇总表's
# the filler prints and uploads in the run, after the autosaves changed it.
SETUP = """
import json, secrets, sys
import django
django.setup()
from decimal import Decimal, InvalidOperation
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import Role, User
from exchange.models import SealedScan
from exchange.printouts import document_pdf
from exchange.services import print_record, scan_upload_checked
from registry.models import Authority, Campaign
from review.status import material_status
from submissions.models import Submission, Value

users, password, spare = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
campaign = Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-year").first()
hashed = make_password(password)
codes = [c for _, c in CELLS]

def numbers(submission):
    # The run's cells as they stand, each a plain number: the run types each a few hundredths up
    # (autosave_raw), inside the year-on-year band and not below its parts.
    found = {}
    for v in Value.objects.filter(submission=submission, year=campaign.data_year, code__in=codes):
        try:
            Decimal(str(v.raw))
        except InvalidOperation:
            continue
        found[f"{v.form}|{v.code}|{v.year}"] = v
    return found if len(found) == len(CELLS) else None

def only_scans_left(submission):
    # What the submit service would refuse it for, read as it reads it: nothing but the scans.
    status = material_status(submission)
    return status.blocker_texts() == status.scan_problems

drafts = []
candidates = Submission.objects.filter(campaign=campaign, status=Submission.Status.DRAFT).select_related(
    "campaign", "base__category", "base__authority", "summary_definition", "annex_definition"
).order_by("pk")
for s in candidates.iterator():
    if len(drafts) == users:
        break
    cells = numbers(s)
    if cells is not None and only_scans_left(s):
        drafts.append((s, cells))
if len(drafts) < users:
    sys.exit(f"only {len(drafts)} drafts of {campaign} are complete but for their scans; {users} asked for")
fillers = []
for i, (s, cells) in enumerate(drafts):
    u, _ = User.objects.update_or_create(
        username=f"load_filler_{i:03d}",
        defaults={"role": Role.BASE_FILLER, "base": s.base, "password": hashed, "full_name": f"压测填报{i}"},
    )
    # The report printed as its print page renders it, "sealed" and checked at once.
    fingerprint, pdf = document_pdf(submission=s, kind=SealedScan.Kind.REPORT)
    print_record(submission=s, user=u, kind=SealedScan.Kind.REPORT, fingerprint=fingerprint)
    upload = SimpleUploadedFile("发展情况报告（盖章）.pdf", pdf, content_type="application/pdf")
    scan = scan_upload_checked(submission=s, user=u, kind=SealedScan.Kind.REPORT, upload=upload)
    if not scan.is_verified:
        sys.exit(f"the report's scan of {s.base} was refused: {scan.check_message}")
    left = material_status(s).blocker_texts()
    if len(left) != 1 or "汇总表" not in left[0]:
        sys.exit(f"{s.base} has more left than its 汇总表 scan: {left}")
    fillers.append({
        "username": u.username, "submission": s.pk,
        "revisions": {k: v.revision for k, v in cells.items()},
        "raws": {k: str(v.raw) for k, v in cells.items()},
    })
largest = (
    Authority.objects.filter(bases__campaigns=campaign).annotate(n=Count("bases")).order_by("-n").first()
)
# Production asks reviewers and the ministry for the second factor: each gets a phone authenticator,
# and each login uses an account of its own, since a code is refused the second time (replay).
keys = {}
def enrolled(username, defaults):
    u, _ = User.objects.update_or_create(username=username, defaults=defaults)
    TOTPDevice.objects.filter(user=u).delete()
    keys[username] = secrets.token_hex(20)
    TOTPDevice.objects.create(user=u, name="压测验证器", key=keys[username], confirmed=True)
    return username
reviewers = [
    enrolled(f"load_reviewer_{i}", {"role": Role.AUTHORITY_REVIEWER, "authority": largest, "password": hashed})
    for i in range(3 + spare)
]
ministries = [
    enrolled(f"load_ministry_{i}", {"role": Role.MINISTRY_ADMIN, "password": hashed}) for i in range(1 + spare)
]
print(json.dumps({
    "data_year": campaign.data_year, "fillers": fillers, "reviewers": reviewers[:3], "ministry": ministries[0],
    "spare_reviewers": reviewers[3:], "spare_ministries": ministries[1:], "totp_keys": keys,
    "province": largest.name, "province_bases": largest.n, "scan_kinds": [SealedScan.Kind.SUMMARY],
}))
""".replace("CELLS", repr([c for c in CELLS]))

# Run after the load: what the database holds for the cells and submissions the run touched.
CHECK = """
import json, sys
import django
django.setup()
from review.models import Transition
from submissions.models import Value, ValueChange

asked = json.loads(sys.stdin.read())
out = {"values": {}, "changes": {}, "submits": {}}
since = asked["since"]
for key in asked["cells"]:
    pk, form, code, year = key.split("|")
    v = Value.objects.filter(submission_id=pk, form=form, code=code, year=int(year)).first()
    out["values"][key] = v.raw if v else None
    out["changes"][key] = ValueChange.objects.filter(
        submission_id=pk, form=form, code=code, year=int(year), changed_at__gte=since
    ).count()
for pk in asked["submissions"]:
    out["submits"][str(pk)] = Transition.objects.filter(
        submission_id=pk, action="submit", at__gte=since
    ).count()
print(json.dumps(out))
"""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # When each request left (perf_counter), beside its latency: the floor is compared over the
    # window the other kind ran in (`floor_during`).
    starts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    # How each filler's wait for the verdict on their scan ended (accepted, refused, timeout …).
    scan_verdicts: Counter[str] = field(default_factory=Counter)

    def add(
        self, kind: str, seconds: float, ok: bool, sample: str = "", status: int = 0, *, started: float = 0.0
    ) -> None:
        self.latencies[kind].append(seconds)
        self.starts[kind].append(started)
        self.statuses[kind][status] += 1
        if not ok:
            self.errors[kind] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {sample[:300]}")


def floor_during(stats: Stats, kind: str) -> list[float]:
    """The floor's latencies of the requests that left while `kind` was being asked for (from the
    first such request's start to the last one's answer). The fillers' rounds take the first third
    of the run or so, the wait for the scans the rest: over the whole run the floor is mostly sampled
    in the quieter part, and a section page answered in the rush was compared with a login form
    answered after it."""
    starts, latencies = stats.starts.get(kind, []), stats.latencies.get(kind, [])
    if not starts:
        return []
    first = min(starts)
    last = max(s + t for s, t in zip(starts, latencies, strict=True))
    return [
        t for s, t in zip(stats.starts["floor"], stats.latencies["floor"], strict=True) if first <= s <= last
    ]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Acks:
    """Saves the server acknowledged: the last raw value per cell and how many saves it confirmed."""

    last: dict[str, str] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def scan_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(buf, format="PNG")
    return buf.getvalue()


class Session:
    """One person in one browser: a cookie jar over one kept-alive connection."""

    def __init__(self, base_url: str, stats: Stats) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=120,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self.stats = stats

    async def request(
        self, kind: str, method: str, url: str, *, expect: int | None = None, **kwargs: Any
    ) -> httpx.Response | None:
        """`expect`: the only good answer (a page must be the page, not a redirect to the login or
        the second factor); otherwise any answer below 500 is good."""
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.stats.add(
                kind, time.perf_counter() - started, False, f"{type(exc).__name__} {exc}", started=started
            )
            return None
        ok = response.status_code < 500 if expect is None else response.status_code == expect
        self.stats.add(
            kind,
            time.perf_counter() - started,
            ok,
            f"{response.status_code} {url}",
            response.status_code,
            started=started,
        )
        return response

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    async def login(self, username: str, totp_key: str | None = None) -> bool:
        """Log in; with `totp_key`, answer the second factor as the phone authenticator would."""
        page = await self.request("login_form", "GET", "/login/")
        if page is None:
            return False
        response = await self.request(
            "login",
            "POST",
            "/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
        )
        if response is None or response.status_code != 302:
            return False
        if totp_key is None:
            return not response.headers.get("location", "").startswith("/otp/")
        await self.request("login_otp", "GET", "/otp/")
        response = await self.request(
            "login_otp",
            "POST",
            "/otp/",
            data={"code": f"{totp(bytes.fromhex(totp_key)):06d}", "csrfmiddlewaretoken": self.csrf()},
        )
        return response is not None and response.status_code == 302

    async def close(self) -> None:
        await self.client.aclose()


STATE_URL = re.compile(r'data-state-url="([^"]+)"')


async def print_document(session: Session, url: str, *, timeout: float = 300) -> httpx.Response | None:
    """A print as the browser makes it: the first request queues the render on the task queue and
    answers with a page that waits (202); the page polls the render's state each second, as its script
    does, then asks again and gets the PDF. `print` is the first request, `print_state` the polls,
    `print_fetch` the PDF, `print_wait` the whole wait as the filler feels it."""
    started = time.perf_counter()
    response = await session.request("print", "GET", url)
    if response is not None and response.status_code == 202:
        found = STATE_URL.search(response.text)
        until = time.perf_counter() + timeout
        response = None
        while found and time.perf_counter() < until:
            await asyncio.sleep(1.0)
            state = await session.request("print_state", "GET", found.group(1), expect=200)
            if state is None or state.status_code != 200:
                continue
            answer = state.json()
            if answer["ready"] or answer["stale"]:
                response = await session.request("print_fetch", "GET", url, expect=200)
                break
            if answer["failed"]:
                break
    ok = response is not None and response.status_code == 200 and response.content.startswith(b"%PDF-")
    session.stats.add(
        "print_wait", time.perf_counter() - started, ok, f"print {url}", 200 if ok else 0, started=started
    )
    return response if ok else None


def autosave_raw(current: str, r: int) -> str:
    """What the filler types in round `r`: the figure as it stands plus (r + 1) hundredths. Each
    round changes it, and it stays inside the year-on-year band and not below its parts (1.1a ≤ 1.1,
    1.3a ≤ 1.2), so the material stays submittable."""
    return str(Decimal(current) + Decimal(r + 1) / 100)


def scan_box(page: str, kind: str) -> tuple[str, str]:
    """What the scans page shows of the newest upload of `kind`: ("checking", its state URL),
    ("refused", ""), ("accepted", "") when the document's scan is current, else ("missing", "")."""
    start = page.find(f'id="scan-{kind}"')
    if start < 0:
        return "missing", ""
    end = page.find("<section", start)
    section = page[start : end if end >= 0 else len(page)]
    checking = re.search(r'class="scan-check scan-check-checking"[^>]*data-state-url="([^"]+)"', section)
    if checking:
        return "checking", checking.group(1)
    if "scan-check-refused" in section:
        return "refused", ""
    return ("accepted", "") if "badge ok" in section else ("missing", "")


async def scan_verdict(session: Session, pk: int, kind: str, *, limit: float) -> str:
    """Wait as the filler on the scans page waits: open the page (where the upload redirects), then
    poll the upload's JSON state each second, as the page's script does, until the verdict or `limit`
    seconds. `scans_page` is the page, `scan_state` the polls, `scan_wait` the whole wait as the
    filler feels it (good only when the scan is accepted)."""
    started = time.perf_counter()
    page = await session.request("scans_page", "GET", f"/exchange/submission/{pk}/scans/", expect=200)
    verdict, url = (
        scan_box(page.text, kind) if page is not None and page.status_code == 200 else ("missing", "")
    )
    while verdict == "checking":
        if time.perf_counter() - started > limit:
            verdict = "timeout"
            break
        await asyncio.sleep(SCAN_POLL_SECONDS)
        state = await session.request("scan_state", "GET", url, expect=200)
        if state is not None and state.status_code == 200 and state.json().get("finished"):
            verdict = state.json().get("check_status", "missing")
    accepted = verdict == "accepted"
    sample = f"scan of {pk}: {verdict}"
    session.stats.add(
        "scan_wait", time.perf_counter() - started, accepted, sample, 200 if accepted else 0, started=started
    )
    session.stats.scan_verdicts[verdict] += 1
    return verdict


async def play_filler(
    session: Session, filler: dict[str, Any], *, data_year: int, rounds: int, think: float, acks: Acks,
    scan_kind: str, scan: bytes, double_click: bool, scan_wait: float = SCAN_WAIT_SECONDS,
    start_after: float = 0.0, pause: Iterator[float] | None = None,
) -> None:  # fmt: skip
    pk = filler["submission"]
    section_url = f"/submissions/{pk}/summary/{SECTION}/"
    revisions = {k: int(v) for k, v in filler["revisions"].items()}
    pause = pause if pause is not None else pauses(pk, think)
    await asyncio.sleep(start_after)
    for r in range(rounds):
        await session.request("section", "GET", section_url, expect=200)
        await asyncio.sleep(next(pause))
        changes = []
        for form, code in CELLS:
            key = f"{form}|{code}|{data_year}"
            changes.append(
                {"form": form, "code": code, "year": data_year, "raw": autosave_raw(filler["raws"][key], r),
                 "currency": "", "base_revision": revisions.get(key, 0), "force": False}
            )  # fmt: skip
        response = await session.request(
            "autosave",
            "POST",
            f"/submissions/{pk}/save/?form=summary&section={SECTION}",
            content=json.dumps({"changes": changes}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": session.csrf(),
                "X-Requested-With": "fetch",
            },
            expect=200,
        )
        if response is not None and response.status_code == 200:
            for cell in response.json().get("cells", []):
                key = f"{cell['form']}|{cell['code']}|{cell['year']}"
                if cell["status"] == "saved":
                    revisions[key] = cell["revision"]
                    sent = next(c["raw"] for c in changes if c["code"] == cell["code"])
                    acks.last[f"{pk}|{key}"] = sent
                    acks.count[f"{pk}|{key}"] += 1
        await asyncio.sleep(next(pause))
    # The filler prints the document as it now stands and uploads that print as the sealed scan: a scan
    # is accepted only when its QR codes show every page of the current version (exchange.scans); the
    # codes are read by the task-queue consumer, not in this request.
    printout = await print_document(session, f"/exchange/submission/{pk}/{scan_kind}.pdf")
    if printout is not None:
        upload = ("scan.pdf", printout.content, "application/pdf")
    else:
        upload = ("scan.png", scan, "image/png")  # refused at the field: still a request of the peak
    await session.request(
        "scan_upload",
        "POST",
        f"/exchange/submission/{pk}/scans/",
        data={"kind": scan_kind, "csrfmiddlewaretoken": session.csrf()},
        files={f"{scan_kind}-file": upload},
    )
    # The submit page refuses while the scan is being checked: the filler waits for the verdict
    # (bounded), then submits whatever it was; a refusal shows as a submission missing afterwards.
    await scan_verdict(session, pk, scan_kind, limit=scan_wait)
    submit = {"csrfmiddlewaretoken": session.csrf()}
    url = f"/review/submission/{pk}/submit/"
    if double_click:
        # A double click: the second request leaves before the first is answered.
        second = Session(str(session.client.base_url), session.stats)
        second.client.cookies = session.client.cookies
        await asyncio.gather(
            session.request("submit", "POST", url, data=submit),
            second.request("submit", "POST", url, data=submit),
        )
        await second.close()
    else:
        await session.request("submit", "POST", url, data=submit)


async def play_reader(session: Session, kind: str, url: str, *, stop: asyncio.Event, think: float) -> None:
    while not stop.is_set():
        await session.request(kind, "GET", url, expect=200)
        await asyncio.sleep(think)


async def deadline_peak(
    base_url: str, plan: dict[str, Any], *, users: int, rounds: int, think: float
) -> dict:
    stats, acks = Stats(), Acks()
    fillers = plan["fillers"][:users]
    sessions = [Session(base_url, stats) for _ in fillers]
    reviewer_sessions = [Session(base_url, stats) for _ in plan["reviewers"]]
    ministry = Session(base_url, stats)
    floor = Session(base_url, stats)
    logged = await asyncio.gather(*(s.login(f["username"]) for s, f in zip(sessions, fillers, strict=True)))
    keys = plan["totp_keys"]
    logged += await asyncio.gather(
        *(s.login(u, keys[u]) for s, u in zip(reviewer_sessions, plan["reviewers"], strict=True))
    )
    logged.append(await ministry.login(plan["ministry"], keys[plan["ministry"]]))
    if not all(logged):
        raise RuntimeError(f"{logged.count(False)} 个压测账号未能登录")
    stop = asyncio.Event()
    readers = [
        asyncio.create_task(play_reader(s, "review_list", "/review/", stop=stop, think=think * 4))
        for s in reviewer_sessions
    ]
    readers.append(
        asyncio.create_task(
            play_reader(ministry, "progress", "/review/ministry/", stop=stop, think=think * 4)
        )
    )
    readers.append(asyncio.create_task(play_reader(floor, "floor", "/login/", stop=stop, think=think / 3)))
    scan = scan_png()
    since = time.time()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            play_filler(
                s,
                f,
                data_year=plan["data_year"],
                rounds=rounds,
                think=think,
                acks=acks,
                scan_kind=plan["scan_kinds"][0],
                scan=scan,
                double_click=i % 2 == 0,
                start_after=i * SPAWN_SECONDS / len(fillers),
                pause=pauses(i, think),
            )
            for i, (s, f) in enumerate(zip(sessions, fillers, strict=True))
        )
    )
    wall = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*readers)
    for s in [*sessions, *reviewer_sessions, ministry, floor]:
        await s.close()
    return {
        "stats": stats,
        "acks": acks,
        "wall": wall,
        "since": since,
        "submissions": [f["submission"] for f in fillers],
    }


async def closed_loop(session: Session, kind: str, method: str, url: str, until: float) -> int:
    count = 0
    while time.perf_counter() < until:
        await session.request(kind, method, url, expect=200)
        count += 1
    return count


async def saturate(
    base_url: str, plan: dict[str, Any], *, seconds: float, concurrency: int
) -> dict[str, float]:
    """Requests per second of each kind driven alone, closed loop, no think time."""
    stats = Stats()
    kinds: dict[str, tuple[str, str, list[str]]] = {
        "floor": ("GET", "/login/", []),
        "section": (
            "GET",
            "/submissions/{pk}/summary/" + SECTION + "/",
            [f["username"] for f in plan["fillers"]],
        ),
        # Accounts of their own: the peak's reviewers and ministry used their codes of this minute.
        "review_list": ("GET", "/review/", plan["spare_reviewers"]),
        "progress": ("GET", "/review/ministry/", plan["spare_ministries"]),
    }
    keys = plan["totp_keys"]
    out: dict[str, float] = {}
    for kind, (method, url, usernames) in kinds.items():
        sessions = [Session(base_url, stats) for _ in range(concurrency)]
        pks = {f["username"]: f["submission"] for f in plan["fillers"]}
        urls = []
        for i, s in enumerate(sessions):
            if usernames:
                name = usernames[i % len(usernames)]
                if not await s.login(name, keys.get(name)):
                    raise RuntimeError(f"压测账号 {name} 未能登录")
                urls.append(url.format(pk=pks.get(name, 0)))
            else:
                urls.append(url)
        until = time.perf_counter() + seconds
        started = time.perf_counter()
        counts = await asyncio.gather(
            *(closed_loop(s, f"sat_{kind}", method, u, until) for s, u in zip(sessions, urls, strict=True))
        )
        out[kind] = sum(counts) / (time.perf_counter() - started)
        for s in sessions:
            await s.close()
    return out


def prepare(env: dict[str, str], users: int, spare: int) -> dict[str, Any]:
    """`spare`: reviewer and ministry accounts besides the peak's, one per saturating session."""
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([python, "manage.py", "load_demo"], env)
    return json.loads(last_line(run([python, "-c", SETUP, str(users), PASSWORD, str(spare)], env)))


def verify(env: dict[str, str], peak: dict[str, Any]) -> dict[str, int]:
    acks: Acks = peak["acks"]
    asked = {
        "since": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(peak["since"] - 1)),
        "cells": sorted(acks.last),
        "submissions": peak["submissions"],
    }
    found = json.loads(
        run([sys.executable, "-c", CHECK], env, stdin=json.dumps(asked)).strip().splitlines()[-1]
    )
    lost = sum(1 for key, raw in acks.last.items() if found["values"].get(key) != raw)
    lost += sum(max(0, acks.count[key] - found["changes"].get(key, 0)) for key in acks.last)
    doubled = sum(1 for n in found["submits"].values() if n > 1)
    submitted = sum(1 for n in found["submits"].values() if n == 1)
    return {
        "lost_writes": lost,
        "doubled_submits": doubled,
        "submitted": submitted,
        "fillers": len(peak["submissions"]),
        "acknowledged": sum(acks.count.values()),
    }


def database_env(kind: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(24))
    # One set of keys for every process of the stack: the setup runs under the development settings,
    # the servers under the production ones, and both must read what the other encrypted or chained.
    env.setdefault("FIELD_ENCRYPTION_KEY", "bench-field-" + secrets.token_hex(24))
    env.setdefault("AUDIT_HMAC_KEY", "bench-audit-" + secrets.token_hex(24))
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    # Each submission notifies the province's reviewers: the messages are built and sent, to memory
    # (one outbox per process), not printed among the figures by the console backend.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    env["MEDIA_ROOT"] = str(workdir / "media")
    # The run's own task queue (its consumer checks the uploaded scans), never a shared one.
    env["HUEY_URL"] = f"sqlite:///{workdir / 'huey.sqlite3'}"
    if kind == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'deadline.sqlite3'}"
    else:
        # BENCH_PG_SERVER and BENCH_PG_DATABASE let engineers sharing one server keep to their own.
        server = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        name = os.environ.get("BENCH_PG_DATABASE", "sfjd_bench_deadline")
        for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{server}/postgres", "-q", "-c", sql], check=True, capture_output=True)
        env["DATABASE_URL"] = f"{server}/{name}"
    return env


def measure(
    kind: str, *, users: int, rounds: int, think: float, workers: int, threads: int, saturation_seconds: float
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"deadline-{kind}-") as tmp:
        env = database_env(kind, Path(tmp))
        plan = prepare(env, users, spare=workers * threads)
        serve = production_env(env)
        run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], serve)
        # The consumer renders the prints and checks the uploaded scans (their QR codes are read on the
        # task queue); sharing the two cores with the servers, it runs below them, as
        # docs/deployment.md advises for a consumer beside the application servers (`Nice=10`).
        with gunicorn(env, workers=workers, threads=threads) as url, consumer(env, nice=10):
            peak = asyncio.run(deadline_peak(url, plan, users=users, rounds=rounds, think=think))
            rates = asyncio.run(
                saturate(url, plan, seconds=saturation_seconds, concurrency=workers * threads)
            )
        checked = verify(env, peak)
    stats: Stats = peak["stats"]
    figures: dict[str, Any] = {
        "db": kind,
        "province": plan["province"],
        "province_bases": plan["province_bases"],
    }
    total = sum(len(v) for v in stats.latencies.values())
    figures["requests"] = total
    figures["rps"] = total / peak["wall"]
    figures["errors"] = sum(stats.errors.values())
    figures["error_samples"] = stats.error_samples
    figures["kinds"] = {k: kind_figures(stats, k) for k in sorted(stats.latencies)}
    figures["scan_verdicts"] = dict(sorted(stats.scan_verdicts.items()))
    cores = os.cpu_count() or 1
    figures["cpu_seconds_per_request"] = {k: cores / r for k, r in rates.items() if r > 0}
    figures["saturation_rps"] = rates
    figures.update(checked)
    figures["unsubmitted"] = checked["fillers"] - checked["submitted"]
    return figures


def kind_figures(stats: Stats, kind: str) -> dict[str, Any]:
    latencies = stats.latencies[kind]
    # The floor over the same stretch of the run, printed beside the ratios.
    during = floor_during(stats, kind)
    return {
        "n": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": stats.errors.get(kind, 0),
        "statuses": dict(sorted(stats.statuses[kind].items())),
        "floor_p95_during": percentile(during, 95),
        "floor_n_during": len(during),
    }


def report(figures: dict[str, Any]) -> str:
    lines = [
        f"[{figures['db']}] {figures['requests']} 个请求，{figures['rps']:.1f} 请求/秒，错误 {figures['errors']}，"
        f"确认保存 {figures['acknowledged']}，丢失 {figures['lost_writes']}，重复提交 {figures['doubled_submits']}，"
        f"提交成功 {figures['submitted']}/{figures['fillers']}（最大省份：{figures['province']}，{figures['province_bases']} 个基地）",
    ]
    if figures["unsubmitted"]:
        lines.append(
            f"  !! 未提交成功 {figures['unsubmitted']} 份（共 {figures['fillers']} 份）：这些材料“恰好提交一次”未得到验证"
        )
    lines.append(
        f"  {'请求类型':<12}{'次数':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'错误':>6}"
        f"{'同期最简页 p95':>16}  状态码"
    )
    for kind, k in figures["kinds"].items():
        if kind.startswith("sat_"):
            continue
        during = (
            f"{k['floor_p95_during'] * 1000:.1f}（{k['floor_n_during']}次）" if k["floor_n_during"] else "—"
        )
        lines.append(
            f"  {kind:<14}{k['n']:>7}{k['p50'] * 1000:>10.1f}{k['p95'] * 1000:>10.1f}{k['p99'] * 1000:>10.1f}{k['errors']:>6}"
            f"{during:>16}  " + " ".join(f"{code or '断开'}×{n}" for code, n in k["statuses"].items())
        )
    lines.append(
        "  同期最简页 p95：该类请求发出期间（首个发出至最后一个返回）最简页面请求的 p95；"
        "目标比值以全程最简页 p95（floor 行）为分母"
    )
    same = same_stretch_ratios(figures)
    lines.append(
        "  以同期最简页 p95 为分母（仅供参考，高峰时最简页面也在排队）："
        + "，".join(f"{name} {value:.2f}" for name, value in same.items())
    )
    if figures["scan_verdicts"]:
        verdicts = " ".join(f"{v}×{n}" for v, n in figures["scan_verdicts"].items())
        lines.append(f"  扫描件核验结果（scan_wait：上传后等到结果，每位填报员一次）：{verdicts}")
    floor = figures["cpu_seconds_per_request"].get("floor")
    for kind, cost in figures["cpu_seconds_per_request"].items():
        ratio = f"（{cost / floor:.1f} × 最简页面）" if floor else ""
        lines.append(f"  饱和时每请求 CPU 秒 {kind:<12} {cost * 1000:8.2f} ms{ratio}")
    for sample in figures["error_samples"]:
        lines.append(f"  错误示例：{sample}")
    return "\n".join(lines)


RATIO_KINDS = {
    "form_page_p95_vs_floor": "section",
    "autosave_p95_vs_floor": "autosave",
    "review_list_p95_vs_floor": "review_list",
}


def ratios(figures: dict[str, Any]) -> dict[str, float]:
    """Each kind's p95 over the floor's p95 of the whole run: the figures with goals."""
    kinds = figures["kinds"]
    return {name: kinds[k]["p95"] / kinds["floor"]["p95"] for name, k in RATIO_KINDS.items()}


def same_stretch_ratios(figures: dict[str, Any]) -> dict[str, float]:
    """The same over the floor's p95 while that kind was asked for (`floor_during`), printed beside,
    not the figures: when the rush saturates the cores, the floor waits as long as everything else
    in it, and these come near 1 for every kind, however dear the pages; over the whole run the
    floor shows what a trivial page costs when the cores are free. Some 20-30 floor requests fall
    in the fillers' rounds, so their p95 is close to their slowest."""
    kinds = figures["kinds"]
    return {
        name: kinds[k]["p95"] / kinds[k]["floor_p95_during"]
        for name, k in RATIO_KINDS.items()
        if kinds[k]["floor_n_during"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="截止日压力测试（本机回环）")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--saturation-seconds", type=float, default=8)
    a = parser.parse_args()
    figures = measure(
        a.db,
        users=a.users,
        rounds=a.rounds,
        think=a.think,
        workers=a.workers,
        threads=a.threads,
        saturation_seconds=a.saturation_seconds,
    )
    print(report(figures))
    print(json.dumps(ratios(figures)))


if __name__ == "__main__":
    main()
