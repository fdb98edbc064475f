"""Publishing a circular (发布通报): the ranking of the moment, frozen as a snapshot, once per region and
period, and audited."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Forbidden
from baodao.lib.periods import Period
from baodao.org.models import Level, Region

from .models import Circular, CircularRow
from .selectors import circular_ranking


def _already_published() -> Conflict:
    return Conflict(_("该区域这一期的通报已经发布，不能重复发布。"), code="already_published")


def circular_publish(*, actor: Any, region: Region, period: Period, request: Any = None) -> Circular:
    """A district or street admin over `region` publishes its ranking for `period`. A second publication of
    the same region and period is a Conflict (`already_published`)."""
    if region.level not in (Level.DISTRICT, Level.STREET) or not scope_for(actor).covers_region(
        region, Role.DISTRICT_ADMIN, Role.STREET_ADMIN
    ):
        raise Forbidden(_("只有区或街道的管理员可以发布本区域的通报。"))
    if period.ends_at > timezone.now():
        raise Conflict(
            _("%(period)s 还没有结束，只能预览；期满后才能发布通报。") % {"period": period.label},
            code="period_not_ended",
        )
    if Circular.objects.filter(region=region, period=period.code).exists():
        raise _already_published()
    ranking = circular_ranking(region, period)
    try:
        with transaction.atomic():
            circular = Circular.objects.create(
                region=region,
                period=period.code,
                period_start=period.start,
                period_end=period.end,
                threshold=ranking.threshold,
                minimum=ranking.minimum.describe()[:200],
                issuer=region.name,
                published_by=actor,
                published_at=timezone.now(),
            )
            CircularRow.objects.bulk_create(
                CircularRow(
                    circular=circular,
                    unit_id=row.unit_id,
                    code=row.code,
                    name=row.name,
                    members=row.members,
                    registered=row.registered,
                    completed=row.completed,
                    below_threshold=row.below_threshold,
                    rank=row.rank,
                    position=position,
                )
                for position, row in enumerate(ranking.units, start=1)
            )
            audit_record(
                action=Action.CIRCULAR_PUBLISHED,
                actor=actor,
                target=circular,
                detail={
                    "region": region.code,
                    "period": period.code,
                    "units": len(ranking.units),
                    "below_threshold": sum(1 for r in ranking.units if r.below_threshold),
                },
                request=request,
            )
    except IntegrityError:
        raise _already_published() from None
    return circular
