"""Emergency benchmarks (issue: activating an emergency that calls 10,000 members returns to the admin in
under a second, the fan-out running in the background; all 10,000 calls exist within 10 seconds on SQLite;
the roll-call board answers in under 100 ms at that size).

The untimed set-up gives a district of its own one street, one community of 20 grids and `--calls` members
(10,000 by default) registered there — accounts, grants, members and confirmed registrations bulk-inserted,
`registered_community`, `grid` and `residence_path` as the registration services leave them — and two
emergency posts of the community (物资配送 and 环境消杀) held, confirmed, by all of them (60% / 40%), plus a
community admin with a grant and an API token. Measured, each in its own process:

- the baseline of the call: a bare insert of as many calls and inbox notices as the fan-out writes (one
  transaction, batches of 1,000, no checks), removed again afterwards;
- the activation: a real worker (`manage.py db_worker --no-startup-delay --interval 0.1`) is started against
  the same database and proved idle and polling (it runs a no-op task first), and the stack is warmed by an
  untimed request as a running server's is (the admin's list of emergencies); then the admin activates the
  emergency with both posts through the API (`POST /api/v1/mobilizations`, the whole stack) — timed to the
  201;
- the fan-out, in the same process: from the start of the activation until every call exists, counted every
  20 ms while the worker writes them; the note says how many inbox notices existed at that moment, when
  all of them did, and when the text-message channel (on in the worker, with the outbox backend that keeps
  the messages instead of sending them) had handed over every copy; the worker is stopped afterwards;
- after an untimed set-up writes answers (40% 到岗, of whom half checked in and are on duty; 10% 无法到岗):
  the roll call — a count of the calls (the baseline), the `rollcall()` selector, the API's
  `GET /api/v1/mobilizations/{id}/rollcall`, the web board page and the part of it the page fetches to
  refresh itself (`?fragment=1`), each the median of 20 runs after 3 warm-up runs.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench import ROOT, Context, Measured, Step

DISTRICT = ("YJ", "应急区")
STREET = ("YJS1", "应急街道")
COMMUNITY = ("YJS1C1", "应急社区")
GRIDS = 20
UNIT = "YJ-UNIT"
ADMIN_PHONE = "13300000601"
PHONE_PREFIX = "139"
#: the emergency posts and the share of the members holding each
POSTS = (("物资配送", 6), ("环境消杀", 4))
BATCH = 2000
#: the fan-out's limit on waiting, well past its target
FANOUT_TIMEOUT = 60.0
POLL = 0.02
RUNS = 20
WARM_UP = 3
API_URL = "/api/v1/mobilizations"
SMS_CHANNEL = "baodao.notify.services.SmsChannel"
#: waiting for the text messages, after the calls
SMS_TIMEOUT = 60.0


# ---- set-up ----------------------------------------------------------------------------------------------


def setup(ctx: Context) -> int:
    from django.core.management import call_command
    from django.utils import timezone

    from baodao.accounts.models import Grant, Role, User
    from baodao.members.models import Member
    from baodao.org.models import Level, Region
    from baodao.org.services import region_create, unit_create
    from baodao.posts.models import HolderStatus, Kind, Post, PostHolder
    from baodao.registration.models import Registration, Status

    call_command("migrate", verbosity=0)
    now = timezone.now()
    district = region_create(
        actor=None, code=DISTRICT[0], name=DISTRICT[1], level=Level.DISTRICT, parent=None
    )
    street = region_create(actor=None, code=STREET[0], name=STREET[1], level=Level.STREET, parent=district)
    community = region_create(
        actor=None, code=COMMUNITY[0], name=COMMUNITY[1], level=Level.COMMUNITY, parent=street
    )
    grids = [
        region_create(
            actor=None, code=f"{COMMUNITY[0]}G{g:02d}", name=f"第{g}网格", level=Level.GRID, parent=community
        )
        for g in range(1, GRIDS + 1)
    ]
    unit = unit_create(actor=None, code=UNIT, name="应急基准单位", region=district)
    admin = User.objects.create_user(phone=ADMIN_PHONE, name="应急社区书记")
    Grant.objects.create(user=admin, role=Role.COMMUNITY_ADMIN, region=community)

    users = User.objects.bulk_create(
        [User(phone=f"{PHONE_PREFIX}{i:08d}", name=f"党员{i}") for i in range(ctx.calls)], batch_size=BATCH
    )
    Grant.objects.bulk_create([Grant(user=u, role=Role.MEMBER, unit=unit) for u in users], batch_size=BATCH)

    def grid(i: int) -> Region:
        return grids[i % GRIDS]

    members = Member.objects.bulk_create(
        [
            Member(
                user=u,
                unit=unit,
                community=community,
                grid=grid(i),
                address=f"{i % 40 + 1}栋{i % 4 + 1}单元{i % 30 + 1}01",
                residence_path=grid(i).path,
                registered_community=community,
            )
            for i, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    Registration.objects.bulk_create(
        [
            Registration(
                member=m,
                community=community,
                grid=grid(i),
                address=m.address,
                status=Status.CONFIRMED,
                receipt_no=f"BD{COMMUNITY[0]}-2026-{m.pk:06d}",
                decided_at=now,
                decided_by=admin,
            )
            for i, m in enumerate(members)
        ],
        batch_size=BATCH,
    )
    # Whole tenths of the members per post: the last post takes what the rounding leaves.
    shares = [ctx.calls * tenths // 10 for _title, tenths in POSTS]
    shares[-1] = ctx.calls - sum(shares[:-1])
    # Bulk-inserted: a post's headcount is bounded at 1,000 by its form, not by the database.
    posts = Post.objects.bulk_create(
        [
            Post(
                community=community,
                kind=Kind.EMERGENCY,
                title=title,
                headcount=share,
                taken=share,
                created_by=admin,
            )
            for (title, _tenths), share in zip(POSTS, shares, strict=True)
        ]
    )
    holders = []
    start = 0
    for post, share in zip(posts, shares, strict=True):
        holders += [
            PostHolder(
                post=post,
                member=m,
                status=HolderStatus.CONFIRMED,
                decided_at=now,
                decided_by=admin,
            )
            for m in members[start : start + share]
        ]
        start += share
    PostHolder.objects.bulk_create(holders, batch_size=BATCH)
    return 0


def _admin() -> Any:
    from baodao.accounts.models import User

    return User.objects.get(phone=ADMIN_PHONE)


def _api_client() -> Any:
    from django.test import Client

    from baodao.accounts.services import token_issue

    return Client(headers={"authorization": f"Bearer {token_issue(user=_admin())}"})


def _web_client() -> Any:
    from django.test import Client

    client = Client()
    client.force_login(_admin())
    return client


def _mobilization() -> Any:
    from baodao.mobilizations.models import Mobilization

    return Mobilization.objects.order_by("-id").first()


# ---- the call --------------------------------------------------------------------------------------------


def bare_insert(ctx: Context) -> Measured:
    """As many calls and notices as the fan-out writes, inserted bare; removed again (untimed)."""
    from django.db import transaction
    from django.utils import timezone

    from baodao.members.models import Member
    from baodao.mobilizations.models import Call, Mobilization, Reason
    from baodao.notify.models import Notice

    admin = _admin()
    throwaway = Mobilization.objects.create(title="基准", type="other", secret="-", created_by=admin)
    members = list(Member.objects.filter(user__phone__startswith=PHONE_PREFIX).values_list("pk", "user_id"))
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        Call.objects.bulk_create(
            [
                Call(mobilization=throwaway, member_id=pk, reason=Reason.POST, called_at=now)
                for pk, _user in members
            ],
            batch_size=1000,
        )
        Notice.objects.bulk_create(
            [Notice(user_id=user, title="基准", body="基准") for _pk, user in members], batch_size=1000
        )
    seconds = time.perf_counter() - started
    Call.objects.filter(mobilization=throwaway).delete()
    throwaway.delete()
    Notice.objects.filter(title="基准").delete()
    return Measured(rows=len(members), seconds=seconds)


class Worker:
    """`manage.py db_worker` against the step's database, as production runs it, until `stop()`."""

    def __init__(self, ctx: Context) -> None:
        self.log = open(ctx.workdir / f"worker-{ctx.backend}.log", "w")  # noqa: SIM115 (closed in stop)
        command = [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.1",
            "--no-reload",
        ]
        # Our own manage.py with fixed arguments, in the step's environment (its DATABASE_URL), with the text
        # message channel on as in production (the outbox backend keeps the messages instead of sending them).
        env = {**os.environ, "NOTIFY_CHANNELS": SMS_CHANNEL}
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the worker has run a task that does nothing (the fan-out of no emergency)."""
        from baodao.mobilizations.tasks import mobilization_fanout_task

        result = mobilization_fanout_task.enqueue(0, "post")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the worker ended (exit {self.process.returncode}): see {self.log.name}")
            result.refresh()
            if result.is_finished:
                if result.status != "SUCCESSFUL":
                    raise SystemExit(f"the worker's first task ended {result.status}")
                return
            time.sleep(POLL)
        raise SystemExit("the worker did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _activate(client: Any) -> tuple[int, str]:
    """The admin's activation through the API, every post with all its holders needed: (its id, how)."""
    from baodao.posts.models import Post

    needs = [(p, p.taken) for p in Post.objects.filter(community__code=COMMUNITY[0]).order_by("id")]
    answer = client.post(
        API_URL,
        {
            "title": "防汛抢险应急动员",
            "type": "flood",
            "regions": [COMMUNITY[0]],
            "description": "强降雨，社区低洼地带积水，请应急岗位党员立即到岗。",
            "posts": [{"post": p.pk, "headcount": n} for p, n in needs],
        },
        content_type="application/json",
    )
    if answer.status_code != 201:
        raise SystemExit(f"activation: unexpected answer {answer.status_code}: {answer.content[:300]!r}")
    return answer.json()["id"], f"POST {API_URL} (HTTP {answer.status_code})"


def _prepare_activation(ctx: Context) -> Any:
    client = _api_client()
    # A server that is up: the URLs, views and serializers imported by a first request (the list), untimed.
    listed = client.get(API_URL)
    if listed.status_code != 200:
        raise SystemExit(f"the list of emergencies: unexpected answer {listed.status_code}")
    worker = Worker(ctx)
    try:
        worker.wait_ready()
    except BaseException:
        worker.stop()
        raise
    return client, worker


def activate_and_fan_out(ctx: Context) -> Measured:
    from baodao.mobilizations.models import Call, Mobilization
    from baodao.notify.models import Notice, Outbox

    client, worker = ctx.prepared
    notices_before = Notice.objects.count()
    sms_before = Outbox.objects.count()
    try:
        started = time.perf_counter()
        mobilization, how = _activate(client)
        activation = time.perf_counter() - started
        calls = Call.objects.filter(mobilization=mobilization)
        deadline = started + FANOUT_TIMEOUT
        while (called := calls.count()) < ctx.calls and time.perf_counter() < deadline:
            time.sleep(POLL)
        fanout = time.perf_counter() - started
        notices_then = Notice.objects.count() - notices_before
        while (
            notices := Notice.objects.count() - notices_before
        ) < ctx.calls and time.perf_counter() < deadline:
            time.sleep(POLL)
        notices_done = time.perf_counter() - started
        while (
            not Mobilization.objects.filter(pk=mobilization, fanout_done_at__isnull=False).exists()
            and time.perf_counter() < deadline
        ):
            time.sleep(POLL)
        sms_deadline = time.perf_counter() + SMS_TIMEOUT
        while (sms := Outbox.objects.count() - sms_before) < ctx.calls and time.perf_counter() < sms_deadline:
            time.sleep(POLL * 5)
        sms_done = time.perf_counter() - started
    finally:
        worker.stop()
    if called != ctx.calls or notices != ctx.calls:
        raise SystemExit(f"the fan-out wrote {called} calls and {notices} notices, not {ctx.calls}")
    fanned_out = Measured(
        rows=called,
        seconds=fanout,
        note=(
            f"from the activation's start; {notices_then:,} inbox notices existed at that moment, all "
            f"{notices:,} after {notices_done:.2f} s (the same transaction writes both); "
            + (
                f"all {sms:,} text messages handed to the SMS backend after {sms_done:.2f} s"
                if sms == ctx.calls
                else f"only {sms:,} text messages after {sms_done:.2f} s"
            )
        ),
    )
    return Measured(
        rows=ctx.calls,
        seconds=activation,
        note=f"measured through {how}",
        more={"emergency-fanout": fanned_out},
    )


# ---- the roll call ---------------------------------------------------------------------------------------


def answers(ctx: Context) -> int:
    """40% 到岗 (half of them checked in, on duty), 10% 无法到岗, the rest silent."""
    from django.utils import timezone

    from baodao.mobilizations.models import Answer, Call, Shift

    mobilization = _mobilization()
    now = timezone.now()
    ids = list(Call.objects.filter(mobilization=mobilization).order_by("id").values_list("pk", flat=True))
    yes = [pk for n, pk in enumerate(ids) if n % 10 < 4]
    arrived = [pk for n, pk in enumerate(ids) if n % 10 < 2]
    no = [pk for n, pk in enumerate(ids) if n % 10 == 4]
    for start in range(0, len(ids), 500):
        chunk = slice(start, start + 500)
        Call.objects.filter(pk__in=yes[chunk]).update(
            answer=Answer.YES, eta=now + timedelta(minutes=30), answered_at=now
        )
        Call.objects.filter(pk__in=no[chunk]).update(
            answer=Answer.NO, no_reason="出差在外地", answered_at=now
        )
        Call.objects.filter(pk__in=arrived[chunk]).update(arrived_at=now)
    Shift.objects.bulk_create([Shift(call_id=pk, started_at=now) for pk in arrived], batch_size=BATCH)
    return 0


def _median(run: Callable[[], object], rows: int, note: str = "") -> Measured:
    for _ in range(WARM_UP):
        run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    spread = f"median of {RUNS} runs (fastest {min(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms)"
    return Measured(rows=rows, seconds=statistics.median(times), note=f"{note}; {spread}" if note else spread)


def count_calls(ctx: Context) -> Measured:
    from baodao.mobilizations.models import Call

    mobilization = _mobilization()
    rows = Call.objects.filter(mobilization=mobilization).count()
    return _median(lambda: Call.objects.filter(mobilization=mobilization).count(), rows)


def _expect(board: Any, ctx: Context) -> Any:
    totals = board.totals
    figures = (totals.called, totals.yes, totals.no, totals.arrived, totals.on_duty)
    expected = (ctx.calls, ctx.calls * 4 // 10, ctx.calls // 10, ctx.calls // 5, ctx.calls // 5)
    if any(abs(a - b) > 1 for a, b in zip(figures, expected, strict=True)):
        raise SystemExit(f"unexpected roll call {figures}, expected about {expected}")
    return board


def rollcall_selector(ctx: Context) -> Measured:
    from baodao.mobilizations.selectors import rollcall

    mobilization = _mobilization()
    board = _expect(rollcall(mobilization), ctx)
    return _median(lambda: rollcall(mobilization), board.totals.called)


def rollcall_api(ctx: Context) -> Measured:
    client = _api_client()
    url = f"{API_URL}/{_mobilization().pk}/rollcall"

    def get() -> None:
        answer = client.get(url)
        if answer.status_code != 200:
            raise SystemExit(f"roll call: unexpected answer {answer.status_code}: {answer.content[:300]!r}")

    first = client.get(url)
    called = first.json().get("called") if first.status_code == 200 else None
    if called != ctx.calls:
        raise SystemExit(f"roll call: unexpected answer {first.status_code}: {first.content[:300]!r}")
    return _median(get, called, note=f"GET {url}")


def rollcall_board(ctx: Context, *, fragment: bool = False) -> Measured:
    from django.urls import reverse

    mobilization = _mobilization()
    url = reverse("web:mobilization_board", args=[mobilization.pk]) + ("?fragment=1" if fragment else "")
    client = _web_client()

    def get() -> None:
        page = client.get(url)
        if page.status_code != 200:
            raise SystemExit(f"board: unexpected answer {page.status_code}")

    get()
    return _median(get, ctx.calls, note=f"GET {url}")


def rollcall_board_fragment(ctx: Context) -> Measured:
    return rollcall_board(ctx, fragment=True)


STEPS = [
    Step("emergency-setup", "emergency: community, members, posts", setup, setup=True),
    Step("emergency-insert", "emergency: bare insert of the calls + notices (baseline)", bare_insert),
    Step(
        "emergency-activate",
        "emergency: activation (answer to the admin)",
        activate_and_fan_out,
        prepare=_prepare_activation,
        max_seconds=1.0,
    ),
    Step(
        "emergency-fanout",
        "emergency: all calls exist (real worker)",
        None,
        measured_by="emergency-activate",
        baseline="emergency-insert",
        max_seconds=10.0,
    ),
    Step("emergency-answers", "emergency: answers and arrivals", answers, setup=True),
    Step("emergency-count", "emergency: count the calls (baseline)", count_calls),
    Step(
        "emergency-rollcall",
        "emergency: roll call, rollcall() selector",
        rollcall_selector,
        baseline="emergency-count",
        max_seconds=0.1,
    ),
    Step(
        "emergency-rollcall-api",
        "emergency: roll call, API",
        rollcall_api,
        baseline="emergency-count",
        max_seconds=0.1,
    ),
    Step(
        "emergency-board",
        "emergency: roll call, web board page",
        rollcall_board,
        baseline="emergency-count",
        max_seconds=0.1,
    ),
    Step(
        "emergency-board-fragment",
        "emergency: roll call, the board's refresh",
        rollcall_board_fragment,
        baseline="emergency-count",
        max_seconds=0.1,
    ),
]
