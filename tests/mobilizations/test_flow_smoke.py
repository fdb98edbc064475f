"""The whole loop once: a post held, an emergency activated, the call, an answer, a shift, the stand-down,
the hours in the ledger."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from baodao.ledger.models import ServiceRecord, Source
from baodao.mobilizations.models import Answer, Call, Status
from baodao.mobilizations.selectors import rollcall
from baodao.mobilizations.services import call_respond, mobilization_stand_down
from baodao.notify.models import Notice
from tests.mobilizations.helpers import activate, check_in, check_out, emergency_post, hold, member_in


def test_called_answered_on_duty_and_credited(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    bystander = member_in(c, "旁观者", grid="C1G2")
    mob = activate(c, posts=[(post, 5)])
    assert list(Call.objects.filter(mobilization=mob).values_list("member_id", flat=True)) == [c.member.pk]
    assert Notice.objects.filter(user=c.member.user, title__contains="应急动员").count() == 1
    assert not Notice.objects.filter(user=bystander.user, title__contains="应急动员").exists()

    call = call_respond(actor=c.member.user, mobilization=mob, answer="yes")
    assert call.answer == Answer.YES
    start = timezone.now() - timedelta(hours=3)
    check_in(mob, c.member, start)
    check_out(mob, c.member, start + timedelta(hours=2, minutes=40))
    board = rollcall(mob)
    assert (board.totals.called, board.totals.yes, board.totals.arrived, board.totals.silent) == (1, 1, 1, 0)
    assert [(p.title, p.needed, p.yes, p.arrived) for p in board.posts] == [("物资配送", 5, 1, 1)]
    record = ServiceRecord.objects.get(member=c.member, source=Source.EMERGENCY)
    assert record.hours == Decimal("2.50")

    check_in(mob, c.member, timezone.now() - timedelta(minutes=70))
    result = mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert result.mobilization.status == Status.STOOD_DOWN and result.shifts_closed == 1
    assert ServiceRecord.objects.filter(member=c.member, source=Source.EMERGENCY).count() == 2
