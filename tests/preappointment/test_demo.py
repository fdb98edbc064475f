"""The demo's checks (baodao/demo/preappointment.py): one answered, one waiting for the demo community, one
for a member of the demo unit who never registered."""

import pytest

from baodao.preappointment.models import Check, Status
from tests.commands.test_seed_demo import seed

REGISTERED_MEMBER = "13900000007"


@pytest.fixture
def demo(db):
    return seed()


def test_the_demo_has_the_three_checks(demo):
    assert "任前考察：3 件" in demo
    answered = Check.objects.get(status=Status.ANSWERED)
    assert answered.member.user.phone == REGISTERED_MEMBER
    assert answered.report["registrations"] and answered.comment
    pending = Check.objects.get(status=Status.PENDING)
    assert pending.community == answered.community
    assert pending.unit == answered.unit
    unregistered = Check.objects.get(status=Status.EXPLANATION_REQUIRED)
    assert unregistered.unit == answered.unit
    assert unregistered.statement.endswith("未到居住地社区报到。")
