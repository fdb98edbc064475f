"""The demo's letters (baodao/demo/feedback.py): last quarter's, sent by the district admin to every unit of
the district, so that the demo unit's admin finds one in its inbox."""

import pytest

from baodao.feedback.models import FeedbackLetter
from baodao.lib.periods import previous_quarter
from baodao.notify.models import Notice
from baodao.org.models import Unit
from tests.commands.test_seed_demo import seed

UNIT_ADMIN = "13900000005"


@pytest.fixture
def demo(db):
    return seed()


def test_last_quarters_letters_are_sent_to_every_unit(demo):
    units = Unit.objects.count()
    assert f"反馈函：{units} 份" in demo
    period = previous_quarter()
    assert FeedbackLetter.objects.filter(period=period.code).count() == units
    notice = Notice.objects.get(user__phone=UNIT_ADMIN, title__startswith="反馈函")
    assert notice.url == f"/unit/DH-SWJ/feedback/?period={period.code}"
    letter = FeedbackLetter.objects.get(unit__code="DH-SWJ")
    assert letter.members > 0
