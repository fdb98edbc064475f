"""The demo's needs (三单制), told through the services: the demo community's ledger of about forty needs in
every state, and a few residents' needs in the street's other communities for the street's statistics.

Every step goes through the same service the pages call, so timelines, inbox notices, audit entries and
ledger rows are the real ones. The services stamp everything "now"; to read like weeks of use, each story is
then spread back in time (`_retime`): its events, its claims and its time limits move to when the story
began, and the steps that write the ledger (confirmation) or the street's escalation run afterwards with the
moved times. Ledger rows themselves are append-only: their service time comes from the moved claims.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from baodao.accounts.models import Grant, Role, User
from baodao.members.models import Member
from baodao.needs import services
from baodao.needs.models import COMMUNITY_KINDS, FINAL_STATUSES, Claim, ClaimStatus, Need, NeedEvent, Status
from baodao.org.models import Region, Unit
from baodao.policy.selectors import policy_in_force
from baodao.registration.models import Status as RegistrationStatus
from baodao.registration.models import UnitRegistration

from . import data

#: The skills a published need asks for, by its category.
CATEGORY_SKILLS = {
    "elderly": ["assistance"],
    "hardship": ["assistance"],
    "education": ["tutoring"],
    "health": ["health"],
    "legal": ["legal"],
    "repair": ["repair"],
    "environment": ["environment"],
    "safety": ["patrol"],
    "dispute": ["counselling", "legal"],
    "property": ["governance"],
    "elevator": ["governance", "legal"],
    "rental": ["governance"],
    "culture": ["culture"],
    "policy": ["organisation"],
}
#: The usual gap between two steps of a story, and how long the community's tasks run.
STEP = timedelta(hours=9)
TASK_DAYS = 10
OTHER_COMMUNITIES = 4
#: Outcomes in which the claimer has reported the need done.
REPORTED_DONE = frozenset(
    {"completed", "behalf", "task_done", "disputed", "closed", "closed_late", "unit_closed"}
)
EVENT_KIND = NeedEvent.Kind


@dataclass
class Cast:
    """Who acts in one community's stories."""

    community: Region
    grids: list[Region]
    admin: User
    residents: list[User]
    #: users of members registered in the community (the first one takes most)
    members: list[User]
    grid_worker: User | None = None
    unit: Unit | None = None
    unit_admin: User | None = None
    taken: dict[str, Need] = field(default_factory=dict)


class NeedStories:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.ratings = iter(data.DEMO_RATINGS * 10)
        self.notes = iter(data.DEMO_COMPLETION_NOTES * 100)
        self.count = 0
        self._policy: tuple[int, int] | None = None

    # ---- the casts ------------------------------------------------------------------------------------

    def demo_cast(
        self, community: Region, grids: list[Region], people: dict[str, User], unit_admins: dict[int, User]
    ) -> Cast:
        agreement = (
            UnitRegistration.objects.filter(community=community, status=RegistrationStatus.CONFIRMED)
            .select_related("unit")
            .order_by("pk")
            .first()
        )
        unit = agreement.unit if agreement else None
        others = [r for r in self._residents([community]).get(community.pk, []) if r != people["resident"]]
        return Cast(
            community=community,
            grids=grids,
            admin=people["community_admin"],
            residents=[people["resident"], *others],
            members=[people["registered_member"], *self._members(community, 3, besides=people.values())],
            grid_worker=people["grid_worker"],
            unit=unit,
            unit_admin=unit_admins.get(unit.pk) if unit else None,
        )

    def _residents(self, communities: Iterable[Region]) -> dict[int, list[User]]:
        found: dict[int, list[User]] = {}
        for grant in (
            Grant.objects.filter(role=Role.RESIDENT, region__in=list(communities))
            .select_related("user")
            .order_by("pk")
        ):
            assert grant.region_id is not None
            found.setdefault(grant.region_id, []).append(grant.user)
        return found

    def _members(self, community: Region, n: int, *, besides: Iterable[User] = ()) -> list[User]:
        """The users of the first `n` members registered in the community."""
        return [
            m.user
            for m in Member.objects.filter(registered_community=community)
            .exclude(user__in=[u.pk for u in besides])
            .select_related("user")
            .order_by("pk")[:n]
        ]

    # ---- the demo community -------------------------------------------------------------------------

    def demo_community(self, cast: Cast) -> None:
        demo_resident, others = cast.residents[0], cast.residents[1:]
        turn = 0
        for outcome, kind, category, title, description, days_ago in sorted(
            data.DEMO_NEEDS, key=lambda story: -story[5]
        ):
            requester = None
            if kind not in COMMUNITY_KINDS and outcome != "behalf":
                # the demo resident has the ones waiting for her, the disputes and every third of the rest
                mine = outcome in ("completed", "disputed") or turn % 3 == 0 or not others
                requester = demo_resident if mine else others[turn % len(others)]
                turn += 1
            self.tell(
                cast, outcome, kind, category, title, description, days_ago, requester=requester, demo=True
            )

    # ---- the street's other communities -------------------------------------------------------------

    def street(
        self, communities: list[Region], grids: dict[int, list[Region]], secretaries: dict[int, User]
    ) -> None:
        residents = self._residents(communities)
        for community in communities:
            members = self._members(community, 2)
            if not members or not residents.get(community.pk):
                continue
            cast = Cast(
                community, grids[community.pk], secretaries[community.pk], residents[community.pk], members
            )
            # each community its own record: some answer fast, some let things slip
            slack = self.rng.random()
            for kind, category, title in self.rng.sample(data.STREET_NEEDS, self.rng.randint(3, 4)):
                x = self.rng.random()
                if x < 0.45:
                    late = self.rng.random() < slack
                    outcome, days = ("closed_late" if late else "closed"), self.rng.uniform(10, 45)
                elif x < 0.6:
                    outcome, days = "late", self.rng.uniform(1.5, 4)
                elif x < 0.7:
                    outcome, days = "claimed_late", self.rng.uniform(9, 15)
                elif x < 0.85:
                    outcome, days = "claimed", self.rng.uniform(1, 4)
                else:
                    outcome, days = "published", self.rng.uniform(0.5, 4)
                requester = self.rng.choice(cast.residents)
                self.tell(cast, outcome, kind, category, title, "", days, requester=requester, demo=False)

    # ---- one story --------------------------------------------------------------------------------------

    def tell(
        self,
        cast: Cast,
        outcome: str,
        kind: str,
        category: str,
        title: str,
        description: str,
        days_ago: float,
        *,
        requester: User | None,
        demo: bool,
    ) -> Need:
        admin = cast.admin
        # the demo resident lives in the demo grid worker's grid
        at_home = demo and requester is not None and requester == cast.residents[0]
        grid = cast.grids[0] if at_home else self.rng.choice(cast.grids)
        community_item = kind in COMMUNITY_KINDS
        places = 1
        if community_item and outcome in ("published", "task_done", "claimed"):
            places = self.rng.randint(3, 6)
        if community_item:
            need = services.need_submit(
                actor=admin,
                kind=kind,
                title=title,
                description=description,
                category=category,
                community=cast.community,
                grid=None,
                location=data.DEMO_LOCATIONS[self.count % len(data.DEMO_LOCATIONS)],
                skills=CATEGORY_SKILLS.get(category, []),
                places=places,
                due_at=self.now + timedelta(days=TASK_DAYS) if kind == "task" else None,
                publish=True,
            )
        elif outcome == "behalf" and cast.grid_worker is not None:
            need = services.need_submit(
                actor=cast.grid_worker,
                kind=kind,
                title=title,
                description=description,
                category=category,
                community=cast.community,
                grid=cast.grids[0],
                contact_name=data.DEMO_CONTACT["contact_name"],
                contact_phone=data.DEMO_CONTACT["contact_phone"],
                address=data.DEMO_CONTACT["address"],
            )
        else:
            assert requester is not None
            need = services.need_submit(
                actor=requester,
                kind=kind,
                title=title,
                description=description,
                category=category,
                community=cast.community,
                grid=grid,
                address=self._address(),
            )
        cast.taken[title] = need
        claimer = (
            cast.members[0]
            if outcome == "completed" or self.rng.random() < 0.6
            else self.rng.choice(cast.members)
        )
        after: list[str] = []
        if outcome == "declined":
            services.need_decline(actor=admin, need=need, reason=data.DEMO_DECLINE_REASONS[title])
        elif outcome == "merged":
            services.need_merge(actor=admin, need=need, into=cast.taken[data.DEMO_MERGE_INTO])
        elif outcome not in ("submitted", "late"):
            if not community_item:
                services.need_publish(actor=admin, need=need, skills=CATEGORY_SKILLS.get(category, []))
            if outcome == "unit_closed" and cast.unit is not None and cast.unit_admin is not None:
                services.need_claim(actor=cast.unit_admin, need=need, unit=cast.unit)
                claimer = cast.unit_admin
            elif outcome != "published":
                services.need_claim(actor=claimer, need=need)
            if outcome in REPORTED_DONE:
                hours = self.rng.choice(("1", "1.5", "2", "2", "3", "4"))
                services.need_complete(actor=claimer, need=need, note=next(self.notes), hours=hours)
            if outcome in ("closed", "closed_late", "unit_closed"):
                after.append("confirm")
            elif outcome == "disputed":
                after.append("dispute")
            elif outcome == "terminated":
                after.append("terminate")
        at, step = self._retime(need, days_ago, steps_after=len(after), late=outcome == "closed_late")
        for action in after:
            at += step
            self._after(need, action, cast, requester, at)
        self._escalate_if_late(need)
        self.count += 1
        return need

    def _limits(self, community: Region) -> tuple[int, int]:
        """The district's time limits for residents' needs (hours to answer, days to resolve)."""
        if self._policy is None:
            policy = policy_in_force(community.district_code)
            self._policy = (policy.need_respond_hours, policy.need_resolve_days)
        return self._policy

    def _address(self) -> str:
        rng = self.rng
        return f"{rng.randint(1, 12)}栋{rng.randint(1, 3)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}"

    # ---- time ---------------------------------------------------------------------------------------------

    def _retime(
        self, need: Need, days_ago: float, *, steps_after: int, late: bool
    ) -> tuple[datetime, timedelta]:
        """Move the story so far to begin `days_ago` days back, its steps STEP apart (or spread over the whole
        time when `late`, so that it ends after its time limit), leaving room for `steps_after` more. Returns
        the time of its last step and the gap between steps."""
        start = self.now - timedelta(days=days_ago, minutes=self.rng.randrange(90))
        events = list(NeedEvent.objects.filter(need=need).order_by("at", "id"))
        room = (self.now - start) / (len(events) + steps_after + 1)
        step = room if late else min(STEP, room)
        for i, event in enumerate(events):
            # a little unevenness, never out of order
            event.at = start + step * i + (step / 4 * self.rng.random() if i else timedelta(0))
        NeedEvent.objects.bulk_update(events, ["at"])

        def first(kinds: tuple[str, ...], claim: Claim | None = None) -> datetime | None:
            return next(
                (e.at for e in events if e.kind in kinds and (claim is None or e.claim_id == claim.pk)), None
            )

        for claim in need.claims.all():
            Claim.objects.filter(pk=claim.pk).update(
                claimed_at=first((EVENT_KIND.CLAIMED, EVENT_KIND.ASSIGNED), claim) or start,
                completed_at=first((EVENT_KIND.COMPLETED,), claim),
            )
        changes: dict[str, Any] = {
            "created_at": start,
            "responded_at": first(
                (EVENT_KIND.PUBLISHED, EVENT_KIND.ASSIGNED, EVENT_KIND.DECLINED, EVENT_KIND.MERGED)
            ),
            "closed_at": first((EVENT_KIND.DECLINED, EVENT_KIND.MERGED)),
        }
        if need.kind not in COMMUNITY_KINDS:
            respond_hours, resolve_days = self._limits(need.community)
            changes["respond_by"] = start + timedelta(hours=respond_hours)
            changes["resolve_by"] = start + timedelta(days=resolve_days)
        elif need.due_at is not None:
            due = start + timedelta(days=TASK_DAYS)
            changes.update(due_at=due, resolve_by=due, starts_at=due - timedelta(days=1))
        Need.objects.filter(pk=need.pk).update(**changes)
        return (events[-1].at if events else start), step

    def _after(self, need: Need, action: str, cast: Cast, requester: User | None, at: datetime) -> None:
        """A step taken after the story was moved back, put at `at` on its timeline."""
        need.refresh_from_db()
        if action == "confirm":
            confirmer = requester if need.requester_id else cast.admin
            rating, comment = next(self.ratings)
            assert confirmer is not None
            claim = services.need_confirm(actor=confirmer, need=need, rating=rating, comment=comment)
            Claim.objects.filter(pk=claim.pk).update(confirmed_at=at)
            Need.objects.filter(pk=need.pk, closed_at__isnull=False).update(closed_at=at)
            kind = EVENT_KIND.CONFIRMED
        elif action == "dispute":
            assert requester is not None
            services.need_dispute(actor=requester, need=need, reason=data.DEMO_DISPUTES[need.title])
            kind = EVENT_KIND.DISPUTED
        elif action == "terminate":
            # a resident's need is never "closed" by the community: it is terminated, with a reason it sees
            reason = data.DEMO_TERMINATE_REASONS[need.title]
            services.need_close(actor=cast.admin, need=need, reason=reason)
            Need.objects.filter(pk=need.pk).update(closed_at=at)
            Claim.objects.filter(need=need, status=ClaimStatus.RELEASED).update(ended_at=at)
            kind = EVENT_KIND.TERMINATED
        else:
            raise ValueError(action)
        NeedEvent.objects.filter(need=need, kind=kind).update(at=at)

    def _escalate_if_late(self, need: Need) -> None:
        """A resident's need past its time limit went to the street an hour after the limit, as the task queue
        would have sent it."""
        need.refresh_from_db()
        if need.kind in COMMUNITY_KINDS or need.status in FINAL_STATUSES:
            return
        deadline = need.respond_by if need.status == Status.SUBMITTED else need.resolve_by
        if deadline is None or deadline > self.now:
            return
        at = min(deadline + timedelta(hours=1), self.now)
        services.need_escalate(need_id=need.pk, now=at)
        NeedEvent.objects.filter(need=need, kind=EVENT_KIND.ESCALATED).update(at=at)


def seed_needs(
    *,
    rng: random.Random,
    now: datetime,
    communities: list[Region],
    grids: dict[int, list[Region]],
    people: dict[str, User],
    secretaries: dict[int, User],
    unit_admins: dict[int, User],
) -> int:
    """The demo community's ledger and a few needs in the next communities; the number of needs made."""
    stories = NeedStories(rng, now)
    demo = communities[0]
    stories.demo_community(stories.demo_cast(demo, grids[demo.pk], people, unit_admins))
    stories.street(communities[1 : 1 + OTHER_COMMUNITIES], grids, secretaries)
    return stories.count
