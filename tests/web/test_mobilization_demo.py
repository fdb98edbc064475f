"""The demo's emergencies (baodao/demo/mobilizations.py), as the seed builds them at the small size the demo
tests use: one stood down with hours in the ledger, one under way where 王芳 is called and silent."""

import pytest

from baodao.accounts.models import User
from baodao.ledger.models import ServiceRecord, Source
from baodao.mobilizations.models import Answer, Call, Mobilization, Shift, Status
from tests.commands.test_seed_demo import seed

REGISTERED_MEMBER = "13900000007"


@pytest.fixture
def demo(db):
    seed()


def test_the_demo_has_a_past_and_a_live_emergency(demo, client):
    past = Mobilization.objects.get(title="7·20 暴雨防汛")
    live = Mobilization.objects.get(title="幸福社区寒潮防冻应急响应")
    assert past.status == Status.STOOD_DOWN and live.status == Status.ACTIVE
    assert (
        Call.objects.filter(mobilization=past, answer=Answer.YES).count()
        > Call.objects.filter(mobilization=past, answer=Answer.NO).count()
        > 0
    )
    assert not Shift.objects.filter(call__mobilization=past, ended_at__isnull=True).exists()
    assert Shift.objects.filter(call__mobilization=past, ended_how="stand_down").count() == 1
    assert ServiceRecord.objects.filter(source=Source.EMERGENCY, shift__call__mobilization=past).exists()
    assert live.areas.count() == 2
    calls = Call.objects.filter(mobilization=live)
    assert calls.exclude(answer=Answer.NONE).exists() and calls.filter(answer=Answer.NONE).count() > 1
    assert Shift.objects.filter(call__mobilization=live, ended_at__isnull=True).exists()
    wangfang = User.objects.get(phone=REGISTERED_MEMBER)
    assert calls.get(member__user=wangfang).answer == Answer.NONE
    client.force_login(wangfang, backend="django.contrib.auth.backends.ModelBackend")
    assert "【应急动员】幸福社区寒潮防冻应急响应" in client.get("/me/").text
