"""Activating an emergency through the API: 201 at once with the call still going out, the call run as the
worker runs it, bad bodies, and who sees and commands which emergency across communities and streets."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from baodao.mobilizations.models import Call, Mobilization, Reason
from baodao.mobilizations.services import mobilization_fanout, mobilization_stand_down
from tests import factories
from tests.api.activity_cases import assert_refused, client_for
from tests.mobilizations.helpers import activate, cast_of, emergency_post, hold, member_in

LIST = "/api/v1/mobilizations"


def url(mob, action=""):
    return f"{LIST}/{mob.pk}" + (f"/{action}" if action else "")


@pytest.fixture
def c(w):
    return cast_of(w)


@pytest.fixture
def held(c):
    """物资配送 in C1, held by 李明 (C1G1)."""
    post = emergency_post(c)
    hold(c, post, c.member)
    return post


def body(post=None, **kw):
    data = {"title": "暴雨防汛", "type": "flood", "regions": ["C1"], "description": "内涝，转移群众"}
    if post is not None:
        data["posts"] = [{"post": post.pk, "headcount": 5}]
    return {**data, **kw}


def calls_of(mob):
    return set(Call.objects.filter(mobilization=mob).values_list("member_id", flat=True))


# ---- POST /mobilizations --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_anonymous_callers(c, anon, held):
    assert_refused(anon.post(LIST, body(held), format="json"), 401, "unauthenticated")
    assert_refused(anon.get(LIST), 401, "unauthenticated")
    mob = activate(c, posts=[(held, 5)])
    assert_refused(anon.get(url(mob)), 401, "unauthenticated")
    assert Mobilization.objects.count() == 1


@pytest.mark.django_db
def test_activation_answers_at_once_and_the_call_follows(c, held):
    report_by = timezone.now() + timedelta(hours=2)
    r = client_for(c.admin).post(LIST, body(held, report_by=report_by.isoformat()), format="json")
    assert r.status_code == 201, r.content
    mob = r.json()
    assert (mob["title"], mob["type"], mob["type_label"], mob["status"]) == (
        "暴雨防汛",
        "flood",
        "防汛抢险",
        "active",
    )
    assert mob["calling"] is True
    assert mob["description"] == "内涝，转移群众"
    assert mob["areas"] == [{"code": "C1", "name": "幸福社区", "level": "community"}]
    assert mob["posts"] == [{"post": held.pk, "title": "物资配送", "headcount": 5}]
    assert (mob["widened"], mob["may_command"], mob["my_call"], mob["stood_down_at"]) == (
        [],
        True,
        None,
        None,
    )
    assert mob["report_by"] is not None
    assert not Call.objects.exists()  # the call goes out in the background

    mobilization_fanout(mobilization_id=mob["id"], reason=Reason.POST)
    after = client_for(c.admin).get(f"{LIST}/{mob['id']}").json()
    assert after["calling"] is False
    assert calls_of(Mobilization.objects.get()) == {c.member.pk}


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_call(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    c = cast_of(factories.world())
    post = emergency_post(c)
    hold(c, post, c.member)
    bystander = member_in(c, "旁观者", grid="C1G2")

    r = client_for(c.admin).post(LIST, body(post), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["calling"] is True
    assert not Call.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    mob = Mobilization.objects.get()
    assert calls_of(mob) == {c.member.pk}
    assert bystander.pk not in calls_of(mob)
    detail = client_for(c.member.user).get(url(mob)).json()
    assert detail["calling"] is False
    assert detail["my_call"] == {
        "answer": "",
        "eta": None,
        "no_reason": "",
        "arrived_at": None,
        "on_duty": False,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"regions": ["NOPE"]}, "regions"),
        ({"regions": []}, "regions"),
        ({"regions": ["S1"]}, "regions"),  # a street is not an area
        ({"regions": ["C1", "C3"]}, "regions"),  # two streets at once
        ({"posts": [{"post": 999999, "headcount": 3}]}, "posts"),
        ({"posts": [{"headcount": 3}]}, "posts"),
        ({"type": "earthquake"}, "type"),
        ({"title": ""}, "title"),
        ({"report_by": "2000-01-01T00:00:00Z"}, "report_by"),
    ],
)
def test_it_refuses_bad_bodies_on_their_field(c, held, change, field):
    r = client_for(c.u("district_admin")).post(LIST, {**body(held), **change}, format="json")
    assert_refused(r, 400, "invalid", field)
    assert not Mobilization.objects.exists()


@pytest.mark.django_db
def test_a_regular_post_or_one_outside_the_area_is_refused(c, held):
    from baodao.posts.services import post_create

    regular = post_create(actor=c.admin, community=c.r("C1"), kind="regular", title="楼栋长", headcount=2)
    r = client_for(c.admin).post(LIST, body(posts=[{"post": regular.pk, "headcount": 1}]), format="json")
    assert_refused(r, 400, "invalid", "posts")
    elsewhere = emergency_post(c, "核酸检测", community="C2")
    street = client_for(c.u("street_admin"))
    r = street.post(LIST, body(posts=[{"post": elsewhere.pk, "headcount": 1}]), format="json")
    assert_refused(r, 400, "invalid", "posts")
    # a post the caller cannot see is unknown to it
    r = client_for(c.admin).post(LIST, body(posts=[{"post": elsewhere.pk, "headcount": 1}]), format="json")
    assert_refused(r, 400, "invalid", "posts")
    assert not Mobilization.objects.exists()


@pytest.mark.django_db
def test_a_street_admin_activates_across_two_communities(c, held):
    other = member_in(c, "钱七", community="C2", grid="C2G1")
    testing = emergency_post(c, "核酸检测", community="C2")
    hold(c, testing, other)
    data = body(
        regions=["C1", "C2"], posts=[{"post": held.pk, "headcount": 3}, {"post": testing.pk, "headcount": 2}]
    )
    r = client_for(c.u("street_admin")).post(LIST, data, format="json")
    assert r.status_code == 201, r.content
    assert [a["code"] for a in r.json()["areas"]] == ["C1", "C2"]
    mob = Mobilization.objects.get()
    mobilization_fanout(mobilization_id=mob.pk, reason=Reason.POST)
    assert calls_of(mob) == {c.member.pk, other.pk}

    # both communities' admins see it; neither commands it alone
    for role in ("community_admin", "other_community_admin"):
        detail = client_for(c.u(role)).get(url(mob))
        assert detail.status_code == 200 and detail.json()["may_command"] is False
    assert client_for(c.u("street_admin")).get(url(mob)).json()["may_command"] is True


@pytest.mark.django_db
def test_a_community_admin_cannot_activate_for_another_community(c, held):
    r = client_for(c.admin).post(LIST, body(regions=["C1", "C2"]), format="json")
    assert_refused(r, 403, "forbidden")
    r = client_for(c.admin).post(LIST, body(regions=["C2"]), format="json")
    assert_refused(r, 403, "forbidden")
    for role in ("member", "grid_worker", "unit_admin"):
        assert_refused(client_for(c.u(role)).post(LIST, body(), format="json"), 403, "forbidden")
    assert not Mobilization.objects.exists()


# ---- GET /mobilizations and /mobilizations/{id} ---------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_a_member_its_calls_and_an_admin_its_scope(c, held):
    activate(c, posts=[(held, 5)], title="暴雨防汛")
    grid_only = activate(c, posts=[], regions=["C1G2"], title="楼道火情")
    activate(c, posts=[], regions=["C2"], actor=c.u("other_community_admin"), title="停水")

    def titles(user, **params):
        r = client_for(user).get(LIST, params)
        assert r.status_code == 200, r.content
        return [m["title"] for m in r.json()["results"]]

    assert titles(c.member.user) == ["暴雨防汛"]
    assert titles(c.helper.user) == ["楼道火情"]  # called as a member registered in C1G2
    assert titles(c.admin) == ["楼道火情", "暴雨防汛"]
    assert titles(c.u("grid_worker")) == ["暴雨防汛"]  # the area C1 holds the worker's grid; C1G2 does not
    assert titles(c.u("street_admin")) == ["停水", "楼道火情", "暴雨防汛"]
    assert titles(c.u("far_community_admin")) == []

    mobilization_stand_down(actor=c.admin, mobilization=grid_only)
    assert titles(c.admin, status="active") == ["暴雨防汛"]
    assert titles(c.admin, status="stood_down") == ["楼道火情"]
    assert_refused(client_for(c.admin).get(LIST, {"status": "over"}), 400, "invalid", "status")


@pytest.mark.django_db
def test_the_detail_is_hidden_from_those_out_of_scope(c, held):
    mob = activate(c, posts=[(held, 5)])
    assert_refused(client_for(c.u("far_community_admin")).get(url(mob)), 404, "not_found")
    assert_refused(client_for(c.u("other_community_admin")).get(url(mob)), 404, "not_found")
    assert_refused(client_for(c.helper.user).get(url(mob)), 404, "not_found")  # registered, but not called
    assert_refused(client_for(c.u("resident")).get(url(mob)), 404, "not_found")
    assert_refused(client_for(c.admin).get(f"{LIST}/999999"), 404, "not_found")

    mine = client_for(c.member.user).get(url(mob)).json()
    assert mine["may_command"] is False
    assert mine["my_call"]["answer"] == ""


# ---- the schema -------------------------------------------------------------------------------------------

PATHS = [
    "/api/v1/posts",
    "/api/v1/posts/{id}",
    *(f"/api/v1/posts/{{id}}/{a}" for a in ("claim", "confirm", "reject", "withdraw", "close")),
    "/api/v1/me/posts",
    "/api/v1/teams",
    "/api/v1/teams/{id}",
    "/api/v1/teams/{id}/members",
    "/api/v1/teams/{id}/members/{member_id}",
    "/api/v1/teams/{id}/leader",
    "/api/v1/grids/{code}/leads",
    "/api/v1/grids/{code}/leads/{member_id}",
    "/api/v1/mobilizations",
    "/api/v1/mobilizations/{id}",
    *(
        f"/api/v1/mobilizations/{{id}}/{a}"
        for a in (
            "respond",
            "checkin",
            "checkout",
            "rollcall",
            "calls",
            "widen",
            "recall",
            "checkin-code",
            "stand-down",
        )
    ),
]


@pytest.mark.django_db
def test_the_schema_documents_every_path_and_its_answers(anon):
    from drf_spectacular.validation import validate_schema

    r = anon.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = r.json()
    validate_schema(schema)
    paths = schema["paths"]
    assert set(PATHS) <= set(paths)
    assert {"201", "400", "401", "403"} <= set(paths["/api/v1/mobilizations"]["post"]["responses"])
    assert {"202", "403", "404", "409"} <= set(paths["/api/v1/mobilizations/{id}/widen"]["post"]["responses"])
    assert "204" in paths["/api/v1/teams/{id}/members/{member_id}"]["delete"]["responses"]
    assert {"201", "409"} <= set(paths["/api/v1/posts/{id}/claim"]["post"]["responses"])
    rollcall = paths["/api/v1/mobilizations/{id}/rollcall"]["get"]["responses"]["200"]
    ref = rollcall["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"called", "yes", "no", "silent", "arrived", "posts", "grids"} <= set(
        schema["components"]["schemas"][ref]["properties"]
    )
