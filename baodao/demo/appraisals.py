"""Last quarter's appraisal of the demo community, through the services as its secretary would run it: the
five-way evaluation under way (self-assessments, the units', the community's and the organisation's), about
half finalised, and — when she is appraised — an appeal from 王芳 (the registered demo member)."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from django.utils import timezone

from baodao.accounts.models import Grant, Role, User
from baodao.appraisals.models import Appraisal, RunStatus, Status
from baodao.appraisals.services import (
    appraisal_appeal,
    appraisal_compute,
    appraisal_evaluate,
    appraisal_finalise,
    appraisal_run,
    appraisal_self_assess,
)
from baodao.lib.errors import DomainError
from baodao.lib.periods import previous_quarter
from baodao.org.models import Region

SELF = [
    "积极参加社区服务，按时完成承诺事项。",
    "本季度参加了多次志愿服务，今后继续努力。",
    "服务次数偏少，下季度多参加。",
]
COMMUNITY = ["服务积极主动，群众评价好。", "能按要求参加社区活动。", "参加服务较少，希望多参与。"]
UNIT = ["在单位和社区都起到了表率作用。", "工作认真负责。"]
ORGANISATION = ["双报到工作落实到位。", "表现良好。"]


def _score(rng: random.Random, appraisal: Appraisal, spread: int = 8) -> int:
    """A plausible score: higher for who served more, now and then an outstanding one."""
    base = 70 + min(appraisal.services, 5) * 4 + (5 if appraisal.minimum_met else 0)
    if rng.random() < 0.2:
        base += 18
    return max(0, min(100, base + rng.randint(-spread, spread)))


def seed_appraisals(*, now: datetime, community: Region, people: Any) -> int:
    admin = people["community_admin"]
    rng = random.Random(77)
    period = previous_quarter(timezone.localdate(now))
    run, _created = appraisal_run(actor=admin, region=community, period=period)
    if run.status == RunStatus.RUNNING:  # a big community: do here what the queue would do
        appraisal_compute(run_id=run.pk)
    appraisals = list(
        Appraisal.objects.filter(run=run, status=Status.OPEN).select_related(
            "run", "community", "member__user"
        )
    )
    if not appraisals:
        return 0
    unit_admins = dict(
        Grant.objects.filter(role=Role.UNIT_ADMIN, unit_id__in={a.unit_id for a in appraisals}).values_list(
            "unit_id", "user"
        )
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=unit_admins.values())}
    organisation = people.get("street_admin") or people.get("district_admin")
    demo_member = people["registered_member"]
    for i, appraisal in enumerate(appraisals):
        if i % 3 != 2 or appraisal.member.user_id == demo_member.pk:
            appraisal_self_assess(
                actor=appraisal.member.user,
                appraisal=appraisal,
                score=min(100, _score(rng, appraisal) + 5),
                comment=rng.choice(SELF),
            )
        unit_admin = users.get(unit_admins.get(appraisal.unit_id, 0))
        if unit_admin is not None and i % 2 == 0:
            appraisal_evaluate(
                actor=unit_admin,
                appraisal=appraisal,
                evaluator="unit",
                score=_score(rng, appraisal),
                comment=rng.choice(UNIT),
            )
        if i % 5 != 4:
            appraisal_evaluate(
                actor=admin,
                appraisal=appraisal,
                evaluator="community",
                score=_score(rng, appraisal),
                comment=rng.choice(COMMUNITY),
            )
        if organisation is not None and i % 4 == 0:
            appraisal_evaluate(
                actor=organisation,
                appraisal=appraisal,
                evaluator="organisation",
                score=_score(rng, appraisal),
                comment=rng.choice(ORGANISATION),
            )
    # about half finalised, the demo member's among them so that she can appeal
    for i, appraisal in enumerate(appraisals):
        if i % 2 and appraisal.member.user_id != demo_member.pk:
            continue
        current = Appraisal.objects.select_related("run", "community", "member__user").get(pk=appraisal.pk)
        try:
            appraisal_finalise(actor=admin, appraisal=current)
        except DomainError:  # no proposal, or 优秀 beyond the cap: the next grade
            grade = (current.proposed_level or 2) + (1 if current.proposed_level == 1 else 0)
            appraisal_finalise(actor=admin, appraisal=current, grade=min(grade, 4))
        if current.member.user_id == demo_member.pk:
            appraisal_appeal(
                actor=demo_member,
                appraisal=Appraisal.objects.select_related("run", "community", "member__user").get(
                    pk=current.pk
                ),
                reason="本季度参加的两次应急值守未计入服务记录，请社区核实。",
            )
    return len(appraisals)
