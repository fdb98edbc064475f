"""The demo's pre-appointment checks (任前考察), through the services as the unit's and the district's admins
and the community's secretary would make them:

- 王芳 (the registered demo member): asked by her unit, answered by the community — the report frozen;
- another member of the demo unit registered in the demo community: asked by the district, waiting for the
  community (its secretary sees the live draft);
- a member of the demo unit who never applied (李明, the demo's member waiting to register, when the demo is
  too small to have another): asked by the district, stated as never registered, waiting
  for the unit's explanation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baodao.members.models import Member
from baodao.org.models import Region
from baodao.preappointment.services import check_answer, check_ask


def seed_preappointment(*, now: datetime, community: Region, people: Any) -> int:
    unit_admin, district_admin = people["unit_admin"], people["district_admin"]
    secretary = people["community_admin"]
    wang = people["registered_member"].member
    count = 0

    answered = check_ask(actor=unit_admin, member=wang, reason="拟任纳税服务科副科长职务任前考察")
    check_answer(
        actor=secretary,
        check=answered,
        comment="该同志报到以来积极参加社区志愿服务，常态在岗，教老年人使用智能手机，群众评价好。同意推荐。",
    )
    count += 1

    demo_phones = [u.phone for u in people.values()]
    colleague = (
        Member.objects.filter(
            unit_id=wang.unit_id, registered_community=community, registrations__receipt_no__isnull=False
        )
        .exclude(user__phone__in=demo_phones)
        .select_related("user", "unit__region")
        .order_by("pk")
        .first()
    )
    if colleague is not None:
        check_ask(actor=district_admin, member=colleague, reason="拟任办公室主任职务任前考察")
        count += 1

    never = (
        Member.objects.filter(unit_id=wang.unit_id, registrations__isnull=True)
        .exclude(user__phone__in=demo_phones)
        .select_related("user", "unit__region")
        .order_by("pk")
        .first()
    ) or people["member"].member  # a small demo may have nobody else: 李明 has not applied yet
    if never is not None:
        check_ask(actor=district_admin, member=never, reason="拟任征收管理科科长职务任前考察")
        count += 1
    return count
