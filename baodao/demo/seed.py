"""Build the demo street: places, units and staff through the services; ~10,000 members in bulk.

The few objects a person will touch (regions, units, the demo logins, co-building agreements) are made by
the same service functions the product uses. The bulk of members, their accounts and their registrations
are written with `bulk_create`, field for field as the services would write them (residence path,
registered community, receipt numbers, the event history, encrypted ID numbers), so that 10,000 of them
take seconds instead of minutes. Everything happens in one transaction: a failed run leaves nothing.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from baodao.accounts.models import Grant, Role, User
from baodao.accounts.services import user_create
from baodao.lib import crypto, idnumber
from baodao.members.models import Member
from baodao.members.services import member_update_profile
from baodao.needs.models import Need
from baodao.org.models import Branch, Level, Region, Unit
from baodao.org.services import branch_get_or_create, region_create, unit_create
from baodao.policy.models import Policy
from baodao.registration.models import Registration, RegistrationEvent, Status, UnitRegistration
from baodao.registration.services import (
    registration_apply,
    registration_confirm,
    unit_registration_apply,
    unit_registration_confirm,
)

from . import data
from .activities import seed_activities
from .appraisals import seed_appraisals
from .feedback import seed_feedback
from .mobilizations import seed_mobilizations
from .needs import seed_needs
from .posts import seed_posts
from .preappointment import seed_preappointment
from .stats import seed_stats

DEMO_PASSWORD = "Baodao@2026"
RANDOM_SEED = 20200602  # the day the source counted 9,741 registered members in 39 村居
BATCH = 500
MAX_COMMUNITIES = len(data.COMMUNITIES)
#: Bulk members get phone numbers with these prefixes; 139 is kept for the demo logins and the staff.
MEMBER_PREFIXES = ("135", "136", "137", "138", "150", "151", "152", "158", "159", "186", "187", "188", "189")
STAFF_PHONE_BASE = 13900100000
SLOTS = (
    ("sat-morning", 6),
    ("sat-afternoon", 5),
    ("sun-morning", 5),
    ("sun-afternoon", 4),
    ("sat-evening", 2),
    ("mon-evening", 2),
    ("tue-evening", 2),
    ("wed-evening", 3),
    ("thu-evening", 2),
    ("fri-evening", 3),
)
SLOT_CODES = [slot for slot, _ in SLOTS]
SLOT_WEIGHTS = [weight for _, weight in SLOTS]


@dataclass(frozen=True)
class DemoPerson:
    key: str
    role: str
    name: str
    phone: str
    label: str


DEMO_PEOPLE = (
    DemoPerson("district_admin", Role.DISTRICT_ADMIN, "周建国", "13900000001", "区委组织部"),
    DemoPerson("street_admin", Role.STREET_ADMIN, "陈立华", "13900000002", "街道党工委"),
    DemoPerson("community_admin", Role.COMMUNITY_ADMIN, "林慧敏", "13900000003", "社区党委书记"),
    DemoPerson("grid_worker", Role.GRID_WORKER, "黄志强", "13900000004", "网格员"),
    DemoPerson("unit_admin", Role.UNIT_ADMIN, "赵文静", "13900000005", "单位党组织"),
    DemoPerson("member", Role.MEMBER, "李明", "13900000006", "在职党员（待报到）"),
    DemoPerson("registered_member", Role.MEMBER, "王芳", "13900000007", "在职党员（已报到）"),
    DemoPerson("resident", Role.RESIDENT, "张桂英", "13900000008", "居民"),
)
DEMO_UNIT = "DH-SWJ"
#: Members of the demo unit left as a roster import leaves them, without a password, to try the first sign-in
#: (activation codes): their phone numbers are known so that the demo can be followed step by step.
UNACTIVATED_PHONES = tuple(f"139000000{n}" for n in range(11, 16))
DEMO_MEMBERS = sum(1 for p in DEMO_PEOPLE if p.role == Role.MEMBER)


@dataclass(frozen=True)
class Login:
    label: str
    role: str
    name: str
    phone: str
    password: str
    page: str


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    created: bool = True


def demo_exists() -> bool:
    return Region.objects.filter(code=data.STREET[0]).exists()


def seed_demo(
    *,
    members: int = 10_000,
    communities: int = MAX_COMMUNITIES,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Build the demo street unless it exists. `members` counts every member, the two demo ones included."""
    started = time.monotonic()
    if demo_exists():
        return Summary(counts=demo_counts(), seconds=time.monotonic() - started, created=False)
    if not 1 <= communities <= MAX_COMMUNITIES:
        raise ValueError(f"communities must be between 1 and {MAX_COMMUNITIES}")
    if members < DEMO_MEMBERS:
        raise ValueError("members must cover at least the demo members")
    say = progress or (lambda message: None)
    with transaction.atomic():
        builder = _Builder(random.Random(RANDOM_SEED), say)
        builder.add_places(communities)
        builder.add_policy()
        builder.add_units()
        builder.add_demo_people()
        builder.add_staff()
        builder.add_members(members - DEMO_MEMBERS)
        builder.add_unit_registrations()
        builder.add_unactivated()
        builder.add_needs()
        builder.add_activities()
        builder.add_posts()
        builder.add_mobilizations()
        builder.add_appraisals()
        builder.add_feedback()
        builder.add_preappointment()
        builder.add_stats()
    return Summary(counts=demo_counts(), seconds=time.monotonic() - started)


def demo_counts() -> dict[str, int]:
    street_path = f"{data.DISTRICT[0]}/{data.STREET[0]}/"
    regions = Counter(
        Region.objects.filter(path__startswith=street_path).values_list("level", flat=True).iterator()
    )
    statuses = Counter(
        Registration.objects.filter(community__path__startswith=street_path)
        .values_list("status", flat=True)
        .iterator()
    )
    in_district = Member.objects.filter(unit__region__path__startswith=f"{data.DISTRICT[0]}/")
    return {
        "communities": regions[Level.COMMUNITY],
        "grids": regions[Level.GRID],
        "units": Unit.objects.filter(region__path__startswith=f"{data.DISTRICT[0]}/").count(),
        "members": in_district.count(),
        "registered": in_district.filter(registered_community__isnull=False).count(),
        "pending": statuses[Status.PENDING],
        "rejected": statuses[Status.REJECTED],
        "ended": statuses[Status.ENDED],
        "unit_registrations": UnitRegistration.objects.filter(
            community__path__startswith=street_path
        ).count(),
        "needs": Need.objects.filter(path__startswith=street_path).count(),
    }


def demo_logins() -> list[Login]:
    """One row per demo person that exists, with the page where its work starts."""
    from baodao.web.workspaces import workspaces_for

    users = {u.phone: u for u in User.objects.filter(phone__in=[p.phone for p in DEMO_PEOPLE])}
    rows = []
    for person in DEMO_PEOPLE:
        user = users.get(person.phone)
        if user is None:
            continue
        try:
            if person.key == "member":
                page = reverse("web:me_apply")
            else:
                spaces = workspaces_for(user)
                page = spaces[0].url if spaces else reverse("web:home")
        except NoReverseMatch:  # a page renamed or not wired up yet: start from the home page
            page = "/"
        rows.append(Login(person.label, person.role, user.name, user.phone, DEMO_PASSWORD, page))
    return rows


@contextmanager
def _given_timestamps(*models: type[Any]) -> Iterator[None]:
    """Let bulk_create keep the historical times we give to the models' `auto_now_add` fields (otherwise
    every row would read "now"), so that the demo's history reads like months of real use. Only for this
    one-off command in its own process; the fields are restored even on error."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


@dataclass
class _Plan:
    """One bulk member before it is written."""

    name: str
    phone: str
    unit: Unit
    branch: Branch | None
    community: Region
    grid: Region
    address: str
    outcome: str  # confirmed | transferred | pending | rejected | moved_away | none
    id_number: str | None
    profile: dict[str, Any]


class _Builder:
    def __init__(self, rng: random.Random, say: Callable[[str], None]):
        self.rng = rng
        self.say = say
        self.now = timezone.now()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.communities: list[Region] = []
        self.grids: dict[int, list[Region]] = {}
        self.grid_homes: dict[int, tuple[str, list[int]]] = {}
        self.units: list[Unit] = []
        self.unit_kind: dict[int, str] = {}
        self.unit_rate: dict[int, float] = {}
        self.branches: dict[int, list[Branch]] = {}
        self.people: dict[str, User] = {}
        self.secretary: dict[int, User] = {}
        self.unit_admin: dict[int, User] = {}
        self.staff_phones = iter(range(STAFF_PHONE_BASE, STAFF_PHONE_BASE + 100_000))
        self.id_numbers: set[str] = set()

    # ---- places, policy, units -------------------------------------------------------------------------

    def add_places(self, n: int) -> None:
        code, name = data.DISTRICT
        self.district = Region.objects.filter(code=code, level=Level.DISTRICT).first() or region_create(
            actor=None, code=code, name=name, level=Level.DISTRICT, parent=None
        )
        code, name = data.STREET
        self.street = region_create(
            actor=None, code=code, name=name, level=Level.STREET, parent=self.district
        )
        for i, short in enumerate(data.COMMUNITIES[:n], start=1):
            community = region_create(
                actor=None, code=f"HB{i:02d}", name=f"{short}社区", level=Level.COMMUNITY, parent=self.street
            )
            estates = [f"{short}{self.rng.choice(data.ESTATE_SUFFIXES)}"]
            estates += self.rng.sample(data.ESTATES, self.rng.randint(1, 2))
            grids = []
            for j in range(self.rng.randint(4, 8)):
                grid = region_create(
                    actor=None,
                    code=f"{community.code}G{j + 1}",
                    name=f"第{data.GRID_NUMERALS[j]}网格",
                    level=Level.GRID,
                    parent=community,
                )
                first = (j // len(estates)) * 8 + 1
                self.grid_homes[grid.pk] = (estates[j % len(estates)], list(range(first, first + 8)))
                grids.append(grid)
            self.communities.append(community)
            self.grids[community.pk] = grids
        self.say(f"区域：{n} 个社区，{sum(len(g) for g in self.grids.values())} 个网格")

    def add_policy(self) -> None:
        Policy.objects.get_or_create(
            district=self.district,
            effective_from=date(self.now.year - 1, 1, 1),
            defaults={"coverage_threshold": Decimal("0.900")},
        )

    def add_units(self) -> None:
        for spec in data.UNITS:
            region = self.district if spec.level == "district" else self.street
            unit = unit_create(actor=None, code=spec.code, name=spec.name, region=region)
            names = data.branches_for(spec.kind)
            self.branches[unit.pk] = [
                branch_get_or_create(unit=unit, name=n)
                for n in names[: self.rng.randint(min(2, len(names)), len(names))]
            ]
            self.units.append(unit)
            self.unit_kind[unit.pk] = spec.kind
            # Most units near or above the 90% line, a few laggards: the coverage pages have a story to tell.
            laggard = self.rng.random() < 0.4
            self.unit_rate[unit.pk] = (
                self.rng.uniform(0.68, 0.84) if laggard else self.rng.uniform(0.86, 0.97)
            )
        self.unit_weights = [spec.weight for spec in data.UNITS]
        self.say(f"单位：{len(self.units)} 个，党支部 {sum(len(b) for b in self.branches.values())} 个")

    # ---- the demo logins, through the services ---------------------------------------------------------

    def add_demo_people(self) -> None:
        community, grid = self.communities[0], self.grids[self.communities[0].pk][0]
        unit = next(u for u in self.units if u.code == DEMO_UNIT)
        scopes: dict[str, dict[str, Any]] = {
            "district_admin": {"region": self.district, "can_unmask": True},
            "street_admin": {"region": self.street},
            "community_admin": {"region": community, "can_unmask": True},
            "grid_worker": {"region": grid},
            "unit_admin": {"unit": unit},
            "member": {"unit": unit, "region": community},
            "registered_member": {"unit": unit, "region": community},
            "resident": {"region": community},
        }
        for person in DEMO_PEOPLE:
            self.people[person.key] = user_create(
                actor=None,
                phone=person.phone,
                name=person.name,
                password=None,
                role=person.role,
                **scopes[person.key],
            )
        User.objects.filter(phone__in=[p.phone for p in DEMO_PEOPLE]).update(password=self.password_hash)

        newcomer = self.people["member"].member
        member_update_profile(
            member=newcomer,
            branch=self.branches[unit.pk][0],
            skills=["legal", "governance"],
            tags=["民法典宣讲", "人民调解"],
            preferences=["legal"],
            availability=["sat-morning", "wed-evening"],
            pledge="每季度为居民开展一次免费法律咨询，帮助化解邻里纠纷。",
        )
        home, buildings = self.grid_homes[grid.pk]
        Member.objects.filter(pk=newcomer.pk).update(
            grid=grid, address=f"{home}{buildings[0]}栋1单元302", residence_path=grid.path
        )

        registered = self.people["registered_member"].member
        member_update_profile(
            member=registered,
            branch=self.branches[unit.pk][-1],
            skills=["it", "assistance"],
            tags=["智能手机教学", "反诈宣传"],
            preferences=["it", "assistance"],
            availability=["sat-afternoon", "sun-morning"],
            pledge="教老年人使用智能手机，帮助他们跨越“数字鸿沟”。亮身份、亮承诺，接受社区和群众监督。",
        )
        registration = registration_apply(
            member=registered, community=community, grid=grid, address=f"{home}{buildings[1]}栋2单元501"
        )
        registration_confirm(actor=self.people["community_admin"], registration=registration)
        self.secretary[community.pk] = self.people["community_admin"]
        self.unit_admin[unit.pk] = self.people["unit_admin"]

    # ---- staff and members, in bulk --------------------------------------------------------------------

    def _person_name(self) -> str:
        given = "".join(self.rng.choice(data.GIVEN) for _ in range(1 if self.rng.random() < 0.25 else 2))
        return self.rng.choice(data.SURNAMES) + given

    def _bulk_users(self, specs: list[tuple[str, dict[str, Any]]]) -> list[User]:
        """Users with one grant each, from (role, grant fields)."""
        users = [
            User(phone=str(next(self.staff_phones)), name=self._person_name(), password=self.password_hash)
            for _ in specs
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        Grant.objects.bulk_create(
            [Grant(user=u, role=role, **fields) for u, (role, fields) in zip(users, specs, strict=True)],
            batch_size=BATCH,
        )
        return users

    def add_staff(self) -> None:
        """A secretary per community, a worker per grid, a party office per unit, a few residents each."""
        demo_grid = self.grids[self.communities[0].pk][0]
        specs: list[tuple[str, dict[str, Any]]] = []
        keys: list[tuple[str, int]] = []
        for community in self.communities:
            if community.pk not in self.secretary:
                specs.append((Role.COMMUNITY_ADMIN, {"region": community, "can_unmask": True}))
                keys.append(("secretary", community.pk))
            for grid in self.grids[community.pk]:
                if grid != demo_grid:
                    specs.append((Role.GRID_WORKER, {"region": grid}))
                    keys.append(("grid", grid.pk))
            for _ in range(2):
                specs.append((Role.RESIDENT, {"region": community}))
                keys.append(("resident", community.pk))
        for unit in self.units:
            if unit.pk not in self.unit_admin:
                specs.append((Role.UNIT_ADMIN, {"unit": unit}))
                keys.append(("unit", unit.pk))
        for (kind, pk), user in zip(keys, self._bulk_users(specs), strict=True):
            if kind == "secretary":
                self.secretary[pk] = user
            elif kind == "unit":
                self.unit_admin[pk] = user
        self.say(f"工作人员账号：{len(specs)} 个")

    def _id_number(self) -> str:
        while True:
            born = date(1965, 1, 1) + timedelta(days=self.rng.randrange(36 * 365))
            first17 = f"{self.rng.choice(data.ID_AREAS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = first17 + idnumber.check_digit(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def _profile(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        skills: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
            pool = data.KIND_SKILLS.get(kind, data.ALL_SKILLS) if rng.random() < 0.6 else data.ALL_SKILLS
            skill = rng.choice(pool)
            if skill not in skills:
                skills.append(skill)
        tags = sorted({rng.choice(data.TAGS[s]) for s in skills if rng.random() < 0.7})
        preferences = list(dict.fromkeys([skills[0], *rng.sample(data.ALL_SKILLS, rng.randint(0, 1))]))
        picked = set(rng.choices(SLOT_CODES, weights=SLOT_WEIGHTS, k=rng.randint(1, 4)))
        availability = [slot for slot in SLOT_CODES if slot in picked]
        pledge = ""
        if rng.random() < 0.92:
            pledge = rng.choice(data.PLEDGES[skills[0]]) + rng.choice(data.PLEDGE_ENDINGS)
        return {
            "skills": skills,
            "tags": tags,
            "preferences": preferences,
            "availability": availability,
            "pledge": pledge,
        }

    def _address(self, grid: Region) -> str:
        home, buildings = self.grid_homes[grid.pk]
        floor, room = self.rng.randint(1, 18), self.rng.randint(1, 4)
        return f"{home}{self.rng.choice(buildings)}栋{self.rng.randint(1, 3)}单元{floor}0{room}"

    def _outcome(self, unit: Unit) -> str:
        if self.rng.random() < self.unit_rate[unit.pk]:
            return "transferred" if len(self.communities) > 1 and self.rng.random() < 0.04 else "confirmed"
        x = self.rng.random()
        return "pending" if x < 0.40 else "none" if x < 0.75 else "rejected" if x < 0.93 else "moved_away"

    def _plans(self, n: int) -> list[_Plan]:
        rng = self.rng
        tails = rng.sample(range(10**8), n)
        community_weights = [rng.uniform(0.6, 1.4) for _ in self.communities]
        plans = []
        for i in range(n):
            unit = rng.choices(self.units, weights=self.unit_weights)[0]
            community = rng.choices(self.communities, weights=community_weights)[0]
            grid = rng.choice(self.grids[community.pk])
            plans.append(
                _Plan(
                    name=self._person_name(),
                    phone=f"{rng.choice(MEMBER_PREFIXES)}{tails[i]:08d}",
                    unit=unit,
                    branch=rng.choice(self.branches[unit.pk]) if rng.random() < 0.95 else None,
                    community=community,
                    grid=grid,
                    address=self._address(grid),
                    outcome=self._outcome(unit),
                    id_number=self._id_number() if rng.random() < 0.3 else None,
                    profile=self._profile(self.unit_kind[unit.pk]),
                )
            )
        return plans

    def add_members(self, n: int) -> None:
        started = time.monotonic()
        plans = self._plans(n)
        imported = self.now - timedelta(days=720)  # the rosters were imported before the campaign
        users = [
            User(phone=p.phone, name=p.name, password=self.password_hash, date_joined=imported) for p in plans
        ]
        grants = [
            Grant(user=u, role=Role.MEMBER, unit=p.unit, created_at=imported)
            for u, p in zip(users, plans, strict=True)
        ]
        members = []
        for user, plan in zip(users, plans, strict=True):
            lives_here = plan.outcome != "moved_away"
            home = plan.grid if lives_here else None
            members.append(
                Member(
                    user=user,
                    unit=plan.unit,
                    branch=plan.branch,
                    community=plan.community if lives_here else None,
                    grid=home,
                    address=plan.address if lives_here else "",
                    residence_path=home.path if home else "",
                    registered_community=plan.community
                    if plan.outcome in ("confirmed", "transferred")
                    else None,
                    created_at=imported,
                    **self._id_fields(plan.id_number),
                    **plan.profile,
                )
            )
        with _given_timestamps(User, Grant, Member):
            User.objects.bulk_create(users, batch_size=BATCH)
            Grant.objects.bulk_create(grants, batch_size=BATCH)
            Member.objects.bulk_create(members, batch_size=BATCH)
        self.say(f"党员：{n + DEMO_MEMBERS} 名（{time.monotonic() - started:.1f} 秒）")
        self._registrations(plans, members)

    def add_unactivated(self) -> None:
        """A few members of the demo unit who never applied, preferably living in the demo community, lose
        their password (and get known phone numbers): the unit admin, the community and the SMS page can
        activate them."""
        unit = next(u for u in self.units if u.code == DEMO_UNIT)
        never_applied = Member.objects.filter(unit=unit, registrations__isnull=True).exclude(
            user__phone__in=[p.phone for p in DEMO_PEOPLE]
        )
        wanted = len(UNACTIVATED_PHONES)
        near = list(never_applied.filter(community=self.communities[0]).order_by("pk")[:wanted])
        rest = never_applied.exclude(pk__in=[m.pk for m in near]).order_by("pk")
        chosen = near + list(rest[: wanted - len(near)])
        for member, phone in zip(chosen, UNACTIVATED_PHONES, strict=False):
            User.objects.filter(pk=member.user_id).update(phone=phone, password=make_password(None))
        self.say(f"尚未设置密码（可试用首次登录激活）的党员：{len(chosen)} 名")

    def add_needs(self) -> None:
        """The demo community's ledger of needs and a few needs next door, through the services."""
        started = time.monotonic()
        count = seed_needs(
            rng=self.rng,
            now=self.now,
            communities=self.communities,
            grids=self.grids,
            people=self.people,
            secretaries=self.secretary,
            unit_admins=self.unit_admin,
        )
        self.say(f"需求（三单制）：{count} 条（{time.monotonic() - started:.1f} 秒）")

    def add_activities(self) -> None:
        """The demo community's volunteer activities, sign-ups and attendance, through the services."""
        started = time.monotonic()
        count = seed_activities(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"志愿活动：{count} 个（{time.monotonic() - started:.1f} 秒）")

    def add_posts(self) -> None:
        """The demo community's posts with their holders, its functional branch and volunteer team, and lead
        members of its grids, through the services."""
        started = time.monotonic()
        count = seed_posts(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"岗位与队伍：{count} 个岗位（{time.monotonic() - started:.1f} 秒）")

    def add_mobilizations(self) -> None:
        """A past emergency stood down with shifts credited, and one under way with answers coming in."""
        started = time.monotonic()
        count = seed_mobilizations(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"应急动员：{count} 次（{time.monotonic() - started:.1f} 秒）")

    def add_appraisals(self) -> None:
        """Last quarter's appraisal of the demo community, part evaluated, part finalised, one appeal."""
        started = time.monotonic()
        count = seed_appraisals(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"党员考评：{count} 人（{time.monotonic() - started:.1f} 秒）")

    def add_feedback(self) -> None:
        """Last quarter's feedback letters sent to the units."""
        started = time.monotonic()
        count = seed_feedback(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"反馈函：{count} 份（{time.monotonic() - started:.1f} 秒）")

    def add_preappointment(self) -> None:
        """Pre-appointment checks: one answered, one waiting, one for a member who never registered."""
        started = time.monotonic()
        count = seed_preappointment(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"任前考察：{count} 件（{time.monotonic() - started:.1f} 秒）")

    def add_stats(self) -> None:
        """The dashboards' aggregates, built from everything seeded above."""
        started = time.monotonic()
        count = seed_stats(now=self.now, community=self.communities[0], people=self.people)
        self.say(f"统计汇总：{count} 行（{time.monotonic() - started:.1f} 秒）")

    @staticmethod
    def _id_fields(number: str | None) -> dict[str, Any]:
        if number is None:
            return {}
        return {
            "id_number_encrypted": crypto.encrypt(number),
            "id_number_hash": crypto.lookup_hash(number),
            "id_number_masked": idnumber.mask(number),
        }

    def _when(self, days_ago_from: float, days_ago_to: float) -> datetime:
        """A moment between two past days, in office hours or an evening."""
        day = self.now - timedelta(days=self.rng.uniform(days_ago_to, days_ago_from))
        moment = day.replace(
            hour=self.rng.choice((9, 10, 11, 14, 15, 16, 19, 20)), minute=self.rng.randrange(60)
        )
        return min(moment, self.now - timedelta(minutes=5))

    def _registrations(self, plans: list[_Plan], members: list[Member]) -> None:
        """The 报到 history, as the handshake services would have left it."""
        rng = self.rng
        rows: list[Registration] = []
        events: list[tuple[int, str, User | None, str, datetime]] = []
        receipts: list[int] = []

        def add(
            member: Member, community: Region, grid: Region, address: str, status: str, **kw: Any
        ) -> None:
            rows.append(
                Registration(
                    member=member, community=community, grid=grid, address=address, status=status, **kw
                )
            )
            if status == Status.CONFIRMED or kw.get("receipt_no"):
                receipts.append(len(rows) - 1)

        for plan, member in zip(plans, members, strict=True):
            secretary = self.secretary[plan.community.pk]
            applicant = member.user
            if plan.outcome == "none":
                continue
            if plan.outcome == "transferred":
                old = rng.choice([c for c in self.communities if c != plan.community])
                old_grid = rng.choice(self.grids[old.pk])
                applied = self._when(700, 420)
                decided = applied + timedelta(days=rng.uniform(0.5, 5))
                ended = self._when(400, 200)
                reason = f"搬家至{plan.community.name}，办理报到转移。"
                add(
                    member,
                    old,
                    old_grid,
                    self._address(old_grid),
                    Status.ENDED,
                    receipt_no=f"TMP-{len(rows)}",
                    reason=reason,
                    applied_at=applied,
                    decided_at=decided,
                    decided_by=self.secretary[old.pk],
                    ended_at=ended,
                )
                events += [
                    (len(rows) - 1, "applied", applicant, "", applied),
                    (len(rows) - 1, "confirmed", self.secretary[old.pk], "", decided),
                    (len(rows) - 1, "ended", applicant, reason, ended),
                ]
            if plan.outcome in ("confirmed", "transferred"):
                applied = self._when(190, 8) if plan.outcome == "confirmed" else self._when(199, 190)
                decided = min(applied + timedelta(days=rng.uniform(0.2, 6)), self.now - timedelta(minutes=1))
                add(
                    member,
                    plan.community,
                    plan.grid,
                    plan.address,
                    Status.CONFIRMED,
                    receipt_no=f"TMP-{len(rows)}",
                    applied_at=applied,
                    decided_at=decided,
                    decided_by=secretary,
                )
                events += [
                    (len(rows) - 1, "applied", applicant, "", applied),
                    (len(rows) - 1, "confirmed", secretary, "", decided),
                ]
            elif plan.outcome == "pending":
                applied = self._when(20, 0)
                add(member, plan.community, plan.grid, plan.address, Status.PENDING, applied_at=applied)
                events.append((len(rows) - 1, "applied", applicant, "", applied))
            elif plan.outcome == "rejected":
                applied = self._when(150, 10)
                decided = applied + timedelta(days=rng.uniform(0.5, 4))
                reason = rng.choice(data.REJECT_REASONS)
                add(
                    member,
                    plan.community,
                    plan.grid,
                    plan.address,
                    Status.REJECTED,
                    reason=reason,
                    applied_at=applied,
                    decided_at=decided,
                    decided_by=secretary,
                )
                events += [
                    (len(rows) - 1, "applied", applicant, "", applied),
                    (len(rows) - 1, "rejected", secretary, reason, decided),
                ]
            elif plan.outcome == "moved_away":
                applied = self._when(400, 200)
                decided = applied + timedelta(days=rng.uniform(0.5, 5))
                ended = self._when(150, 5)
                add(
                    member,
                    plan.community,
                    plan.grid,
                    plan.address,
                    Status.ENDED,
                    receipt_no=f"TMP-{len(rows)}",
                    reason=data.MOVED_AWAY_REASON,
                    applied_at=applied,
                    decided_at=decided,
                    decided_by=secretary,
                    ended_at=ended,
                )
                events += [
                    (len(rows) - 1, "applied", applicant, "", applied),
                    (len(rows) - 1, "confirmed", secretary, "", decided),
                    (len(rows) - 1, "ended", applicant, data.MOVED_AWAY_REASON, ended),
                ]

        started = time.monotonic()
        with _given_timestamps(Registration, RegistrationEvent):
            Registration.objects.bulk_create(rows, batch_size=BATCH)
            # Receipt numbers carry the row's id, exactly as registration_confirm writes them.
            numbered = [rows[i] for i in receipts]
            for row in numbered:
                assert row.decided_at is not None
                row.receipt_no = (
                    f"BD{row.community.code}-{timezone.localdate(row.decided_at):%Y}-{row.pk:06d}"
                )
            Registration.objects.bulk_update(numbered, ["receipt_no"], batch_size=BATCH)
            RegistrationEvent.objects.bulk_create(
                [
                    RegistrationEvent(registration=rows[i], kind=kind, actor=actor, reason=reason, at=at)
                    for i, kind, actor, reason, at in events
                ],
                batch_size=BATCH,
            )
        self.say(
            f"报到记录：{len(rows)} 条，处理记录 {len(events)} 条（{time.monotonic() - started:.1f} 秒）"
        )

    # ---- co-building agreements (共建), through the services -------------------------------------------

    def add_unit_registrations(self) -> None:
        street_units = [u for u in self.units if u.region_id == self.street.pk]
        count = 0
        for community in self.communities:
            partners = [self.rng.choice(street_units), *self.rng.sample(self.units, self.rng.randint(1, 3))]
            for unit in dict.fromkeys(partners):
                kind = self.unit_kind[unit.pk]
                commitments = "；".join(
                    [
                        data.COMMITMENTS.get(kind, "每季度组织党员到社区开展一次志愿服务"),
                        *self.rng.sample(data.COMMITMENT_COMMON, 2),
                    ]
                )
                agreement = unit_registration_apply(
                    actor=self.unit_admin[unit.pk], unit=unit, community=community, commitments=commitments
                )
                if self.rng.random() < 0.85:
                    unit_registration_confirm(actor=self.secretary[community.pk], unit_registration=agreement)
                count += 1
        self.say(f"单位共建报到：{count} 份")
