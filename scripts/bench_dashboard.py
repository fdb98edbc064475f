"""Dashboard benchmarks (issue 7: each dashboard answers in under 200 ms at district scale — 100,000 members,
1,000,000 service records — on SQLite and PostgreSQL, from maintained aggregates, never scanning the ledger).

The untimed set-up generates a district of its own ("KB"): 10 streets, 100 communities, 1,000 grids, 1,000
units, 100,000 members (90 % registered, living in the grids), 1,000,000 service records over the 24 months up
to the current quarter's end (2 % of them reversed; ratings on half), 50,000 needs closed over the same months
(80 % by their time limit) and three emergencies with 5,000 calls each — bulk-inserted in batches. Measured,
each in its own process:

- the rebuild of every aggregate from the ledger (`stats_rebuild`, what the set-up and the demo run);
- the baselines: each scope's figures (district, street, community, unit) computed by scanning the ledger
  directly — the naive grouped queries over standing records (services, hours and ratings by path for the
  quarter, distinct active members, the 12-month trend); the table shows how many times faster the
  dashboard of the same scope is;
- the API (`GET /api/v1/dashboard`) and the page for the district, a street, a community and a unit, each the
  median of 20 runs after 3 warm-up runs, against 200 ms;
- the cost of the ledger's hook: `record_write` of 200 records with the hook and 200 without, per record.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bench import Context, Measured, Step

DISTRICT = "KB"
STREETS, COMMUNITIES, GRIDS, UNITS = 10, 100, 1000, 1000
MEMBERS = 100_000
RECORDS = 1_000_000
NEEDS = 50_000
EMERGENCIES, CALLS = 3, 5000
MONTHS = 24
BATCH = 5000
RUNS, WARM_UP = 20, 3
TARGET = 0.2
PHONE_PREFIX = "136"
ADMIN_PHONES = {
    "district": "13500000001",
    "street": "13500000002",
    "community": "13500000003",
    "unit": "13500000004",
}


def _scale(ctx: Context) -> float:
    """`--rows` scales the district (100,000 members at the default)."""
    return ctx.rows / 100_000


def _fast_sqlite() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")


def setup(ctx: Context) -> int:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from baodao.accounts.models import Grant, Role, User
    from baodao.ledger.models import ServiceRecord, Source
    from baodao.lib.periods import current_quarter
    from baodao.members.models import Member
    from baodao.mobilizations.models import Answer, Call, Mobilization, Reason
    from baodao.needs.models import Need, Status
    from baodao.org.models import Level, Region, Unit

    call_command("migrate", verbosity=0)
    _fast_sqlite()
    rng = random.Random(2026)
    scale = _scale(ctx)
    members_n, records_n, needs_n = int(MEMBERS * scale), int(RECORDS * scale), int(NEEDS * scale)
    with transaction.atomic():
        district = Region.objects.create(
            code=DISTRICT, name="看板区", level=Level.DISTRICT, path=f"{DISTRICT}/"
        )
        streets = Region.objects.bulk_create(
            [
                Region(
                    code=f"{DISTRICT}S{s}",
                    name=f"第{s}街道",
                    level=Level.STREET,
                    parent=district,
                    path=f"{DISTRICT}/{DISTRICT}S{s}/",
                )
                for s in range(STREETS)
            ]
        )
        communities = Region.objects.bulk_create(
            [
                Region(
                    code=f"{streets[c % STREETS].code}C{c}",
                    name=f"第{c}社区",
                    level=Level.COMMUNITY,
                    parent=streets[c % STREETS],
                    path=f"{streets[c % STREETS].path}{streets[c % STREETS].code}C{c}/",
                )
                for c in range(COMMUNITIES)
            ]
        )
        grids = Region.objects.bulk_create(
            [
                Region(
                    code=f"{communities[g % COMMUNITIES].code}G{g}",
                    name=f"第{g}网格",
                    level=Level.GRID,
                    parent=communities[g % COMMUNITIES],
                    path=f"{communities[g % COMMUNITIES].path}{communities[g % COMMUNITIES].code}G{g}/",
                )
                for g in range(GRIDS)
            ]
        )
        units = Unit.objects.bulk_create(
            [
                Unit(code=f"{DISTRICT}U{u}", name=f"看板单位{u}", region=streets[u % STREETS])
                for u in range(UNITS)
            ]
        )
        admins = {k: User.objects.create_user(phone=p, name=f"看板{k}") for k, p in ADMIN_PHONES.items()}
        Grant.objects.create(user=admins["district"], role=Role.DISTRICT_ADMIN, region=district)
        Grant.objects.create(user=admins["street"], role=Role.STREET_ADMIN, region=streets[0])
        Grant.objects.create(user=admins["community"], role=Role.COMMUNITY_ADMIN, region=communities[0])
        Grant.objects.create(user=admins["unit"], role=Role.UNIT_ADMIN, unit=units[0])
    users = User.objects.bulk_create(
        [User(phone=f"{PHONE_PREFIX}{i:08d}", name=f"党员{i}") for i in range(members_n)], batch_size=BATCH
    )
    by_grid = {g.pk: g for g in grids}
    members = Member.objects.bulk_create(
        [
            Member(
                user=u,
                unit=units[i % UNITS],
                community=by_grid[grids[i % GRIDS].pk].parent,
                grid=grids[i % GRIDS],
                residence_path=grids[i % GRIDS].path,
                registered_community=grids[i % GRIDS].parent if i % 10 else None,
            )
            for i, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    now = timezone.now()
    end = current_quarter().ends_at
    span = MONTHS * 30 * 86400
    verifier = admins["community"]
    written = 0
    pending: list[Any] = []
    reverse_every = 50
    while written < records_n:
        n = min(BATCH, records_n - written)
        batch = []
        for _ in range(n):
            m = members[rng.randrange(len(members))]
            grid = grids[(m.pk) % GRIDS]
            batch.append(
                ServiceRecord(
                    source=Source.NEED,
                    member=m,
                    community=grid.parent,
                    path=grid.path,
                    category="elderly",
                    title="服务",
                    hours=Decimal(rng.choice((1, 2, 3))),
                    rating=rng.choice((None, 4, 5)),
                    served_at=end - timedelta(seconds=rng.randrange(span) + 1),
                    verified_by=verifier,
                )
            )
        created = ServiceRecord.objects.bulk_create(batch, batch_size=BATCH)
        pending += created[::reverse_every]
        written += n
    ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(
                source=r.source,
                member=r.member,
                community=r.community,
                path=r.path,
                category=r.category,
                title=r.title,
                hours=-r.hours,
                served_at=r.served_at,
                verified_by=verifier,
                reverses=r,
                reason="基准冲销",
            )
            for r in pending
        ],
        batch_size=BATCH,
    )
    Need.objects.bulk_create(
        [
            Need(
                kind="service",
                title="需求",
                category="elderly",
                community=grids[i % GRIDS].parent,
                grid=grids[i % GRIDS],
                path=grids[i % GRIDS].path,
                status=Status.CLOSED,
                closed_at=(closed := end - timedelta(seconds=rng.randrange(span) + 1)),
                resolve_by=closed + timedelta(days=1 if i % 5 else -1),
            )
            for i in range(needs_n)
        ],
        batch_size=BATCH,
    )
    for e in range(EMERGENCIES):
        mob = Mobilization.objects.create(title=f"应急{e}", type="flood", secret="-", created_by=verifier)
        Mobilization.objects.filter(pk=mob.pk).update(created_at=now - timedelta(days=e * 20))
        called = rng.sample(members, min(CALLS, len(members)))
        Call.objects.bulk_create(
            [
                Call(
                    mobilization=mob,
                    member=m,
                    # where the member lives, as the call-out records it
                    grid_id=m.grid_id,
                    reason=Reason.POST,
                    called_at=now,
                    answer=Answer.YES if i % 2 else Answer.NONE,
                    arrived_at=now if i % 4 == 1 else None,
                )
                for i, m in enumerate(called)
            ],
            batch_size=BATCH,
        )
    return 0


def rebuild(ctx: Context) -> Measured:
    from baodao.stats.services import stats_rebuild

    started = time.perf_counter()
    rows = stats_rebuild()
    seconds = time.perf_counter() - started
    # the planner's statistics, as a live database keeps them (PostgreSQL's autovacuum analyses a table after
    # bulk changes; without them it sorts 100,000 members on disk to group them); untimed
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Measured(rows=rows, seconds=seconds, note=f"{rows:,} aggregate rows; then ANALYZE")


def _median(
    run: Callable[[], object], rows: int, note: str = "", runs: int = RUNS, warm: int = WARM_UP
) -> Measured:
    for _ in range(warm):
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    spread = f"median of {runs} runs (fastest {min(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms)"
    return Measured(rows=rows, seconds=statistics.median(times), note=f"{note}; {spread}" if note else spread)


def _naive(role: str) -> Callable[[Context], Measured]:
    """A scope's figures straight from the ledger — what a dashboard without aggregates would do, counting
    what the dashboard counts: standing services and ratings only (neither the reversed records nor their
    reversals), hours, members active (a standing service while registered) and the 12-month trend."""

    def run_step(ctx: Context) -> Measured:
        from django.db.models import Count, OuterRef, Q, Sum
        from django.db.models.functions import TruncMonth

        from baodao.ledger.models import ServiceRecord
        from baodao.lib.periods import current_quarter, local_midnight
        from baodao.org.models import Region, Unit
        from baodao.stats.selectors import trend_months
        from baodao.stats.services import registered_at

        period = current_quarter()
        months = trend_months(period)
        standing = ServiceRecord.objects.order_by().filter(reverses__isnull=True, reversed_by__isnull=True)
        params = _params(role)
        if role == "unit":
            unit = Unit.objects.get(code=params["unit"])
            served = standing.filter(Q(member__unit=unit) | Q(member__isnull=True, unit=unit))
            lives = served
        else:
            path = Region.objects.get(code=params["region"]).path
            served = standing.filter(path__startswith=path)
            lives = standing.filter(member__residence_path__startswith=path)
        active = lives.filter(member__isnull=False).filter(registered_at(OuterRef("served_at")))

        def run() -> int:
            quarter = served.filter(served_at__gte=period.starts_at, served_at__lt=period.ends_at)
            list(
                quarter.values("path").annotate(
                    n=Count("pk"), h=Sum("hours"), r=Sum("rating"), rated=Count("rating")
                )
            )
            active.filter(served_at__gte=period.starts_at, served_at__lt=period.ends_at).values(
                "member_id"
            ).distinct().count()
            trend = {"served_at__gte": local_midnight(months[0]), "served_at__lt": period.ends_at}
            list(
                served.filter(**trend)
                .annotate(m=TruncMonth("served_at"))
                .values("m")
                .annotate(n=Count("pk"), h=Sum("hours"))
            )
            list(
                active.filter(**trend)
                .annotate(m=TruncMonth("served_at"))
                .values("m")
                .annotate(a=Count("member_id", distinct=True))
            )
            return 0

        rows = ServiceRecord.objects.count()
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return _median(run, rows, note=f"grouped queries over the ledger for {query}", runs=3, warm=1)

    return run_step


def _client(role: str, *, api: bool) -> Any:
    from django.test import Client

    from baodao.accounts.models import User
    from baodao.accounts.services import token_issue

    user = User.objects.get(phone=ADMIN_PHONES[role])
    if api:
        return Client(headers={"authorization": f"Bearer {token_issue(user=user)}"})
    client = Client()
    client.force_login(user)
    return client


def _params(role: str) -> dict[str, str]:
    if role == "unit":
        return {"unit": f"{DISTRICT}U0"}
    code = {"district": DISTRICT, "street": f"{DISTRICT}S0", "community": f"{DISTRICT}S0C0"}[role]
    return {"region": code}


def _dashboard(role: str, *, api: bool) -> Callable[[Context], Measured]:
    def run(ctx: Context) -> Measured:
        client = _client(role, api=api)
        url = "/api/v1/dashboard" if api else "/dashboard/"
        params = _params(role)

        def get() -> Any:
            answer = client.get(url, params)
            if answer.status_code != 200:
                raise SystemExit(f"{url}: unexpected answer {answer.status_code}: {answer.content[:300]!r}")
            return answer

        first = get()
        services = first.json()["services"] if api else 0
        if api and services <= 0:
            raise SystemExit(f"{url} {params}: no services counted")
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return _median(
            get, services or 1, note=f"GET {url}?{query}" + (f" ({services:,} services)" if api else "")
        )

    return run


def hook_cost(ctx: Context) -> Measured:
    """record_write of N records with the stats hook and N without it (the hook replaced by a no-op)."""
    from django.utils import timezone

    import baodao.ledger.services as ledger
    from baodao.accounts.models import User
    from baodao.members.models import Member

    n = 200
    members = list(Member.objects.filter(user__phone__startswith=PHONE_PREFIX).select_related("unit")[:n])
    verifier = User.objects.get(phone=ADMIN_PHONES["community"])
    from baodao.org.models import Region

    grids = {r.path: r for r in Region.objects.filter(level="grid")}

    def write_all() -> float:
        started = time.perf_counter()
        for m in members:
            grid = grids[m.residence_path]
            ledger.record_write(
                source="need",
                member=m,
                unit=None,
                community=grid.parent,
                path=grid.path,
                title="基准",
                category="elderly",
                hours=Decimal(1),
                served_at=timezone.now(),
                verified_by=verifier,
                rating=5,
            )
        return (time.perf_counter() - started) / len(members)

    hooked = write_all()
    original = ledger.stats_on_write
    ledger.stats_on_write = lambda record: None
    try:
        bare = write_all()
    finally:
        ledger.stats_on_write = original
    return Measured(
        rows=len(members),
        seconds=hooked * len(members),
        note=(
            f"record_write: {hooked * 1000:.2f} ms a record with the hook, {bare * 1000:.2f} ms without "
            f"(+{(hooked - bare) * 1000:.2f} ms, {hooked / bare:.1f}×)"
        ),
    )


STEPS = [
    Step("dashboard-setup", "dashboard: district of 100k members, 1M records", setup, setup=True),
    Step("dashboard-rebuild", "dashboard: stats_rebuild from the ledger", rebuild),
    *(
        Step(
            f"dashboard-naive-{role}",
            f"dashboard: {role} figures scanning the ledger (baseline)",
            _naive(role),
        )
        for role in ("district", "street", "community", "unit")
    ),
    *(
        Step(
            f"dashboard-{'api' if api else 'page'}-{role}",
            f"dashboard: {'API' if api else 'page'}, {role}",
            _dashboard(role, api=api),
            baseline=f"dashboard-naive-{role}",
            max_seconds=TARGET,
        )
        for api in (True, False)
        for role in ("district", "street", "community", "unit")
    ),
    Step("dashboard-hook", "dashboard: record_write with the stats hook", hook_cost),
]
