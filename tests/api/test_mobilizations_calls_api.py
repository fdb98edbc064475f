"""During an emergency, through the API: a called member answers, checks in and out on site; the command
post reads the roll call and the calls, widens the call, calls the silent again, shows the code and stands
down."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.codes import code_now
from baodao.ledger.models import ServiceRecord, Source
from baodao.mobilizations.models import Answer, Call, Reason, Shift
from baodao.mobilizations.services import call_respond, mobilization_fanout, mobilization_stand_down
from tests.api.activity_cases import assert_refused, client_for
from tests.mobilizations.helpers import activate, cast_of, check_in, emergency_post, hold, member_in

pytestmark = pytest.mark.django_db

LIST = "/api/v1/mobilizations"


def url(mob, action=""):
    return f"{LIST}/{mob.pk}" + (f"/{action}" if action else "")


def code(mob):
    return code_now(mob.pk, mob.secret, timezone.now())[0]


@pytest.fixture
def c(w):
    return cast_of(w)


@pytest.fixture
def mob(c):
    """An emergency over C1 calling 李明 (C1G1), who holds 物资配送."""
    post = emergency_post(c)
    hold(c, post, c.member)
    return activate(c, posts=[(post, 5)])


ACTIONS = {
    "respond": ("post", {"answer": "yes"}),
    "checkin": ("post", {"code": "000000"}),
    "checkout": ("post", {"code": "000000"}),
    "rollcall": ("get", None),
    "calls": ("get", None),
    "widen": ("post", {"to": "all_registered"}),
    "recall": ("post", {}),
    "checkin-code": ("get", None),
    "stand-down": ("post", {}),
}


def send(client, mob, action):
    method, data = ACTIONS[action]
    if method == "get":
        return client.get(url(mob, action))
    return client.post(url(mob, action), data, format="json")


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_refuses_anonymous_callers(anon, mob, action):
    assert_refused(send(anon, mob, action), 401, "unauthenticated")


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_hides_an_emergency_out_of_scope(c, mob, action):
    assert_refused(send(client_for(c.u("far_community_admin")), mob, action), 404, "not_found")
    # not called, registered elsewhere: nothing to see (registered here, it may check in anyway)
    elsewhere = member_in(c, "外社区", community="C2", grid="C2G1")
    assert_refused(send(client_for(elsewhere.user), mob, action), 404, "not_found")
    if action != "checkin":
        assert_refused(send(client_for(c.helper.user), mob, action), 404, "not_found")
    assert mob.status == "active" and not Shift.objects.exists()


# ---- respond ----------------------------------------------------------------------------------------------


def test_a_called_member_answers_and_changes_its_mind(c, mob):
    member = client_for(c.member.user)
    eta = timezone.now() + timedelta(minutes=40)
    r = member.post(url(mob, "respond"), {"answer": "yes", "eta": eta.isoformat()}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["answer"], r.json()["on_duty"], r.json()["arrived_at"]) == ("yes", False, None)
    assert r.json()["eta"] is not None
    first = Call.objects.get().answered_at
    # the same answer again changes nothing
    member.post(url(mob, "respond"), {"answer": "yes", "eta": eta.isoformat()}, format="json")
    assert Call.objects.get().answered_at == first

    r = member.post(url(mob, "respond"), {"answer": "no", "reason": "在外地出差"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["answer"], r.json()["no_reason"], r.json()["eta"]) == ("no", "在外地出差", None)
    assert client_for(c.member.user).get(url(mob)).json()["my_call"]["answer"] == "no"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"answer": "maybe"}, "answer"),
        ({}, "answer"),
        ({"answer": "no"}, "reason"),
        ({"answer": "yes", "eta": "2000-01-01T08:00:00Z"}, "eta"),
        ({"answer": "yes", "eta": "soon"}, "eta"),
    ],
)
def test_a_bad_answer_is_refused_on_its_field(c, mob, data, field):
    r = client_for(c.member.user).post(url(mob, "respond"), data, format="json")
    assert_refused(r, 400, "invalid", field)
    assert Call.objects.get().answer == Answer.NONE


def test_answers_in_the_wrong_state_conflict(c, mob):
    assert_refused(send(client_for(c.admin), mob, "respond"), 409, "not_called")
    check_in(mob, c.member)
    r = client_for(c.member.user).post(url(mob, "respond"), {"answer": "no", "reason": "累了"}, format="json")
    assert_refused(r, 409, "on_duty")
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    r = client_for(c.member.user).post(url(mob, "respond"), {"answer": "yes"}, format="json")
    assert_refused(r, 409, "illegal_transition")


# ---- check-in and check-out -------------------------------------------------------------------------------


def test_a_member_checks_in_and_out_with_the_code_on_site(c, mob):
    member = client_for(c.member.user)
    r = member.post(url(mob, "checkin"), {"code": code(mob)}, format="json")
    assert r.status_code == 200, r.content
    shift = r.json()
    assert shift["started_at"] and shift["ended_at"] is None and shift["hours"] is None
    call = Call.objects.get()
    assert call.answer == Answer.YES and call.arrived_at is not None
    assert member.get(url(mob)).json()["my_call"]["on_duty"] is True
    # checking in again returns the open shift
    assert member.post(url(mob, "checkin"), {"code": code(mob)}, format="json").json()["id"] == shift["id"]

    Shift.objects.filter(pk=shift["id"]).update(started_at=timezone.now() - timedelta(hours=2, minutes=5))
    r = member.post(url(mob, "checkout"), {"code": code(mob)}, format="json")
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["id"], out["ended_how"], out["hours"]) == (shift["id"], "checkout", "2.00")
    assert ServiceRecord.objects.get(member=c.member, source=Source.EMERGENCY).hours == Decimal("2.00")
    assert_refused(member.post(url(mob, "checkout"), {"code": code(mob)}, format="json"), 409, "not_on_duty")


def test_a_wrong_code_is_bad_input_and_too_many_are_throttled(c, mob):
    member = client_for(c.member.user)
    wrong = "999999" if code(mob) != "999999" else "999998"
    for _ in range(5):
        assert_refused(
            member.post(url(mob, "checkin"), {"code": wrong}, format="json"), 400, "invalid", "code"
        )
    assert_refused(member.post(url(mob, "checkin"), {"code": code(mob)}, format="json"), 429)
    assert_refused(member.post(url(mob, "checkin"), {}, format="json"), 400, "invalid", "code")
    assert not Shift.objects.exists()


def test_check_in_and_out_in_the_wrong_state_conflict(c, mob):
    assert_refused(
        client_for(c.admin).post(url(mob, "checkin"), {"code": code(mob)}, format="json"), 409, "not_called"
    )
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    member = client_for(c.member.user)
    assert_refused(
        member.post(url(mob, "checkin"), {"code": code(mob)}, format="json"), 409, "illegal_transition"
    )
    assert_refused(
        member.post(url(mob, "checkout"), {"code": code(mob)}, format="json"), 409, "illegal_transition"
    )


# ---- the roll call and the calls --------------------------------------------------------------------------


@pytest.fixture
def history(c):
    """Two posts needed; four holders; one more registered member reached by the widening. 李明 (C1G1) said
    yes and is on site; 赵强 (C1G2) cannot come; 孙三 (C1G1) said yes; 周四 (C1G2) and 吴五 (C1G2, widened)
    are silent."""
    delivery = emergency_post(c, "物资配送")
    spraying = emergency_post(c, "环境消杀")
    sun = member_in(c, "孙三", grid="C1G1")
    zhou = member_in(c, "周四", grid="C1G2")
    wu = member_in(c, "吴五", grid="C1G2")
    for post, member in ((delivery, c.member), (delivery, c.helper), (spraying, sun), (spraying, zhou)):
        hold(c, post, member)
    mob = activate(c, posts=[(delivery, 3), (spraying, 2)])
    r = client_for(c.admin).post(url(mob, "widen"), {"to": "all_registered"}, format="json")
    assert r.status_code == 202, r.content
    mobilization_fanout(mobilization_id=mob.pk, reason=Reason.ALL_REGISTERED)
    call_respond(actor=c.member.user, mobilization=mob, answer="yes")
    check_in(mob, c.member)
    call_respond(actor=c.helper.user, mobilization=mob, answer="no", reason="住院")
    call_respond(actor=sun.user, mobilization=mob, answer="yes")
    return {"mob": mob, "delivery": delivery, "spraying": spraying, "zhou": zhou, "wu": wu, "sun": sun}


def test_the_roll_call_adds_up_a_crafted_history(c, history):
    mob, delivery, spraying = history["mob"], history["delivery"], history["spraying"]
    r = client_for(c.admin).get(url(mob, "rollcall"))
    assert r.status_code == 200, r.content
    board = r.json()
    totals = {k: board[k] for k in ("called", "yes", "no", "silent", "arrived", "on_duty")}
    assert totals == {"called": 5, "yes": 2, "no": 1, "silent": 2, "arrived": 1, "on_duty": 1}
    assert (board["calling"], board["status"]) == (False, "active")
    assert board["posts"] == [
        {"post": delivery.pk, "title": "物资配送", "needed": 3, "called": 2, "yes": 1, "arrived": 1},
        {"post": spraying.pk, "title": "环境消杀", "needed": 2, "called": 2, "yes": 1, "arrived": 0},
        {"post": None, "title": "", "needed": None, "called": 1, "yes": 0, "arrived": 0},
    ]
    assert board["grids"] == [
        {"grid": "C1G1", "name": "网格C1G1", "called": 2, "yes": 2, "no": 0, "silent": 0, "arrived": 1},
        {"grid": "C1G2", "name": "网格C1G2", "called": 3, "yes": 0, "no": 1, "silent": 2, "arrived": 0},
    ]
    # the grid worker of C1G1 reads the board of the members of its grid; a called member none at all
    mine = client_for(c.u("grid_worker")).get(url(mob, "rollcall")).json()
    assert (mine["called"], mine["yes"], mine["silent"], mine["arrived"]) == (2, 2, 0, 1)
    assert [g["grid"] for g in mine["grids"]] == ["C1G1"]
    rows = client_for(c.u("grid_worker")).get(url(mob, "calls")).json()["results"]
    assert {row["member"]["id"] for row in rows} == {c.member.pk, history["sun"].pk}
    assert_refused(client_for(c.member.user).get(url(mob, "rollcall")), 403, "forbidden")


def test_the_calls_list_filters_by_answer_and_grid(c, history):
    mob = history["mob"]
    admin = client_for(c.admin)
    r = admin.get(url(mob, "calls"))
    assert r.status_code == 200, r.content
    rows = r.json()["results"]
    assert r.json()["count"] == 5
    mine = next(x for x in rows if x["member"]["id"] == c.member.pk)
    assert mine["post"] == {"id": history["delivery"].pk, "title": "物资配送"}
    assert mine["grid"] == {"code": "C1G1", "name": "网格C1G1"}
    assert (mine["answer"], mine["reason"], mine["recalls"]) == ("yes", "post", 0)
    assert mine["arrived_at"] is not None and "*" in mine["member"]["phone"]
    widened = next(x for x in rows if x["member"]["id"] == history["wu"].pk)
    assert (widened["post"], widened["reason"]) == (None, "all_registered")

    silent = admin.get(url(mob, "calls"), {"answer": "silent"}).json()["results"]
    assert {x["member"]["id"] for x in silent} == {history["zhou"].pk, history["wu"].pk}
    no = admin.get(url(mob, "calls"), {"answer": "no"}).json()["results"]
    assert [(x["member"]["id"], x["no_reason"]) for x in no] == [(c.helper.pk, "住院")]
    g1 = admin.get(url(mob, "calls"), {"grid": "C1G1"}).json()["results"]
    assert {x["member"]["id"] for x in g1} == {c.member.pk, history["sun"].pk}
    assert_refused(admin.get(url(mob, "calls"), {"answer": "perhaps"}), 400, "invalid", "answer")
    assert_refused(admin.get(url(mob, "calls"), {"grid": "NOPE"}), 400, "invalid", "grid")
    assert_refused(client_for(c.member.user).get(url(mob, "calls")), 403, "forbidden")


# ---- widen, recall, code, stand-down -------------------------------------------------------------------


def test_widening_to_neighbouring_grids_calls_them_in_the_background(c):
    mob = activate(c, posts=[], regions=["C1G1"])
    assert set(Call.objects.values_list("member_id", flat=True)) == {c.member.pk}
    r = client_for(c.admin).post(url(mob, "widen"), {"to": "neighbour_grids"}, format="json")
    assert r.status_code == 202, r.content
    assert r.json()["calling"] is True and r.json()["widened"] == ["all_registered", "neighbour_grids"]
    assert Call.objects.count() == 1
    mobilization_fanout(mobilization_id=mob.pk, reason=Reason.NEIGHBOUR_GRIDS)
    assert set(Call.objects.values_list("member_id", flat=True)) == {c.member.pk, c.helper.pk}
    assert client_for(c.admin).get(url(mob)).json()["calling"] is False


def test_widening_refuses_the_wrong_callers_input_and_state(c, mob):
    assert_refused(send(client_for(c.member.user), mob, "widen"), 403, "forbidden")
    assert_refused(send(client_for(c.u("grid_worker")), mob, "widen"), 403, "forbidden")
    admin = client_for(c.admin)
    assert_refused(admin.post(url(mob, "widen"), {"to": "everyone"}, format="json"), 400, "invalid", "to")
    r = admin.post(url(mob, "widen"), {"to": "neighbour_grids"}, format="json")
    assert_refused(r, 409, "no_neighbours")  # the area is the whole community
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert_refused(send(admin, mob, "widen"), 409, "illegal_transition")


def test_the_command_post_calls_the_silent_again(c, history):
    mob = history["mob"]
    admin = client_for(c.admin)
    assert admin.post(url(mob, "recall"), {}, format="json").json() == {"recalled": 0}  # all called just now
    Call.objects.filter(mobilization=mob).update(called_at=timezone.now() - timedelta(minutes=10))
    r = admin.post(url(mob, "recall"), {"members": [history["zhou"].pk, c.member.pk]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"recalled": 1}  # 李明 has answered
    # all the silent: but 周 was called again a moment ago
    assert admin.post(url(mob, "recall"), {}, format="json").json() == {"recalled": 1}
    assert Call.objects.get(member=history["zhou"]).recalls == 1
    assert Call.objects.get(member=history["wu"]).recalls == 1
    r = admin.post(url(mob, "recall"), {"members": ["x"]}, format="json")
    assert_refused(r, 400, "invalid", "members")
    assert_refused(send(client_for(c.member.user), mob, "recall"), 403, "forbidden")
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert_refused(send(admin, mob, "recall"), 409, "illegal_transition")


def test_the_site_shows_the_rotating_code(c, mob):
    for user in (c.admin, c.u("grid_worker")):
        r = client_for(user).get(url(mob, "checkin-code"))
        assert r.status_code == 200, r.content
        shown = r.json()
        assert shown["code"] == code(mob)
        assert shown["url"].startswith("http") and shown["url"].endswith(f"?code={shown['code']}")
        assert shown["expires_at"]
    assert_refused(client_for(c.member.user).get(url(mob, "checkin-code")), 403, "forbidden")
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert_refused(client_for(c.admin).get(url(mob, "checkin-code")), 409, "illegal_transition")


def test_the_stand_down_closes_open_shifts_once(c, mob):
    check_in(mob, c.member, timezone.now() - timedelta(hours=1, minutes=10))
    assert_refused(send(client_for(c.member.user), mob, "stand-down"), 403, "forbidden")
    assert_refused(send(client_for(c.u("grid_worker")), mob, "stand-down"), 403, "forbidden")
    admin = client_for(c.admin)
    r = admin.post(url(mob, "stand-down"))
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "stood_down", "shifts_closed": 1, "shifts_pending": 0}
    assert ServiceRecord.objects.get(member=c.member, source=Source.EMERGENCY).hours == Decimal("1.00")
    detail = admin.get(url(mob)).json()
    assert (detail["status"], detail["calling"]) == ("stood_down", False)
    assert detail["stood_down_at"] is not None
    assert_refused(admin.post(url(mob, "stand-down")), 409, "illegal_transition")
    assert ServiceRecord.objects.filter(member=c.member).count() == 1


def test_the_calls_list_and_the_roll_call_do_not_grow_with_the_calls(c):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mob = activate(c, posts=[])
    admin = client_for(c.admin)

    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(path).status_code == 200
        return len(ctx)

    queries(url(mob))  # the first request of a token does a little more
    few = (queries(url(mob, "calls")), queries(url(mob, "rollcall")))
    for i in range(6):
        member_in(c, f"队员{i}", grid="C1G2" if i % 2 else "C1G1")
    mobilization_fanout(mobilization_id=mob.pk, reason=Reason.ALL_REGISTERED)
    assert Call.objects.filter(mobilization=mob).count() == 8
    assert (queries(url(mob, "calls")), queries(url(mob, "rollcall"))) == few


def test_a_registered_member_of_the_area_who_was_not_called_checks_in_anyway(c, mob):
    walk_in = member_in(c, "路过", grid="C1G2")
    client = client_for(walk_in.user)
    assert_refused(client.get(url(mob)), 404, "not_found")
    r = client.post(url(mob, "checkin"), {"code": code(mob)}, format="json")
    assert r.status_code == 200, r.content
    call = Call.objects.get(mobilization=mob, member=walk_in)
    assert (call.reason, call.answer) == (Reason.WALK_IN, "yes")
    assert client.get(url(mob)).json()["my_call"]["on_duty"] is True
