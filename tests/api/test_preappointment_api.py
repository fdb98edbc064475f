"""`/api/v1/preappointment-checks`: asking (registered and never registered), the list and its filters, one
check with its report, answering, explaining, the PDF — with the error answers of each (400, 401, 403, 404,
409) and every role's scope."""

import io

import pypdf
import pytest

from baodao.accounts.models import Role
from baodao.preappointment.models import Check
from tests import factories

URL = "/api/v1/preappointment-checks"
REASON = "拟任办公室主任职务任前考察"


@pytest.fixture
def reg(w):
    return factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])


@pytest.fixture
def newcomer(w):
    return factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name="陈新")


def ask(client, member, reason=REASON):
    return client.post(URL, {"member": member.pk, "reason": reason}, format="json")


@pytest.fixture
def pending(w, api_as, reg):
    return ask(api_as(w.users["unit_admin"]), w.members["member"]).json()["id"]


@pytest.fixture
def unexplained(w, api_as, newcomer):
    return ask(api_as(w.users["district_admin"]), newcomer).json()["id"]


def test_anonymous_callers_are_refused(w, anon, pending):
    assert anon.get(URL).status_code == 401
    assert anon.post(URL, {"member": 1, "reason": "x"}, format="json").status_code == 401
    assert anon.get(f"{URL}/{pending}").status_code == 401
    assert anon.post(f"{URL}/{pending}/answer", {"comment": "好"}, format="json").status_code == 401
    assert anon.get(f"{URL}/{pending}/pdf").status_code == 401


def test_asking_about_a_registered_member(w, api_as, reg):
    r = ask(api_as(w.users["unit_admin"]), w.members["member"])
    assert r.status_code == 201
    body = r.json()
    assert body["member"] == {"id": w.members["member"].pk, "name": "李明"}
    assert body["unit"] == {"code": "U1", "name": "区税务局"}
    assert body["registered"] is True and body["statement"] == ""
    assert body["status"] == "pending"
    assert body["community"] == {"code": "C1", "name": "幸福社区"}
    assert body["report"] is None  # the asker reads no draft
    assert body["pdf_url"] is None


def test_asking_about_a_member_who_never_registered(w, api_as, newcomer):
    r = ask(api_as(w.users["district_admin"]), newcomer)
    assert r.status_code == 201
    body = r.json()
    assert body["registered"] is False and body["community"] is None
    assert body["status"] == "explanation_required"
    assert body["statement"].startswith("经查，陈新 同志（区税务局）截至 ")
    assert body["statement"].endswith("未到居住地社区报到。")


def test_bad_input_is_400_in_chinese(w, api_as, reg):
    client = api_as(w.users["unit_admin"])
    r = client.post(URL, {"member": w.members["member"].pk}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = ask(client, w.members["member"], reason="长" * 301)
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = ask(client, w.members["member"], reason="   ")
    assert r.status_code == 400 and r.json()["fields"]["reason"] == ["该字段不能为空。"]
    r = client.post(URL, {"member": "x", "reason": REASON}, format="json")
    assert r.status_code == 400 and "member" in r.json()["fields"]
    # a member the caller cannot see is a mistake in the body
    r = ask(client, w.members["other_member"])
    assert r.status_code == 400 and r.json()["fields"]["member"] == ["没有找到该党员。"]
    assert not Check.objects.exists()


@pytest.mark.parametrize("who", ["community_admin", "street_admin", "grid_worker"])
def test_those_who_see_the_member_but_may_not_ask_get_403(w, api_as, reg, who):
    assert ask(api_as(w.users[who]), w.members["member"]).status_code == 403


def test_a_second_open_check_is_409(w, api_as, pending):
    r = ask(api_as(w.users["district_admin"]), w.members["member"])
    assert r.status_code == 409 and r.json()["error"] == "already_open"


def test_the_community_reads_the_draft_and_answers(w, api_as, pending):
    client = api_as(w.users["community_admin"])
    r = client.get(f"{URL}/{pending}")
    assert r.status_code == 200
    assert r.json()["report"]["registrations"][0]["community_code"] == "C1"
    r = client.post(f"{URL}/{pending}/answer", {"comment": "积极参加社区服务"}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "answered" and body["comment"] == "积极参加社区服务"
    assert body["report"]["total"]["services"] == 0
    assert body["pdf_url"].endswith(f"{URL}/{pending}/pdf")
    # the asker now reads the frozen report
    assert api_as(w.users["unit_admin"]).get(f"{URL}/{pending}").json()["report"] == body["report"]


def test_answering_errors(w, api_as, pending):
    assert (
        api_as(w.users["community_admin"]).post(f"{URL}/{pending}/answer", {}, format="json").status_code
        == 400
    )
    r = api_as(w.users["unit_admin"]).post(f"{URL}/{pending}/answer", {"comment": "好"}, format="json")
    assert r.status_code == 403
    r = api_as(w.users["other_community_admin"]).post(
        f"{URL}/{pending}/answer", {"comment": "好"}, format="json"
    )
    assert r.status_code == 404
    client = api_as(w.users["community_admin"])
    assert client.post(f"{URL}/{pending}/answer", {"comment": "好"}, format="json").status_code == 200
    r = client.post(f"{URL}/{pending}/answer", {"comment": "再答"}, format="json")
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    r = api_as(w.users["unit_admin"]).post(f"{URL}/{pending}/explain", {"explanation": "说明"}, format="json")
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"


def test_the_unit_explains(w, api_as, unexplained):
    client = api_as(w.users["unit_admin"])
    assert client.post(f"{URL}/{unexplained}/explain", {}, format="json").status_code == 400
    r = client.post(f"{URL}/{unexplained}/explain", {"explanation": "该同志长期外派。"}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "explained" and r.json()["explanation"] == "该同志长期外派。"
    r = client.post(f"{URL}/{unexplained}/explain", {"explanation": "再说明"}, format="json")
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"


def test_explaining_errors(w, api_as, unexplained, pending):
    r = api_as(w.users["district_admin"]).post(
        f"{URL}/{unexplained}/explain", {"explanation": "x"}, format="json"
    )
    assert r.status_code == 403
    r = api_as(w.users["other_unit_admin"]).post(
        f"{URL}/{unexplained}/explain", {"explanation": "x"}, format="json"
    )
    assert r.status_code == 404
    r = api_as(w.users["unit_admin"]).post(f"{URL}/{pending}/explain", {"explanation": "x"}, format="json")
    assert r.status_code == 409


def test_the_list_is_scoped_and_filtered(w, api_as, pending, unexplained):
    def ids(user, query=""):
        r = api_as(user).get(f"{URL}{query}")
        assert r.status_code == 200
        return {c["id"] for c in r.json()["results"]}

    assert ids(w.users["unit_admin"]) == {pending, unexplained}
    assert ids(w.users["unit_admin"], "?status=pending") == {pending}
    assert ids(w.users["district_admin"], f"?member={w.members['member'].pk}") == {pending}
    assert ids(w.users["community_admin"]) == {pending}
    for who in ("member", "grid_worker", "street_admin", "other_unit_admin", "other_community_admin"):
        assert ids(w.users[who]) == set(), who
    assert api_as(w.users["unit_admin"]).get(f"{URL}?status=nope").status_code == 400


@pytest.mark.parametrize(
    "who", ["member", "grid_worker", "street_admin", "other_unit_admin", "other_community_admin", "resident"]
)
def test_out_of_scope_is_404(w, api_as, pending, who):
    client = api_as(w.users[who])
    assert client.get(f"{URL}/{pending}").status_code == 404
    assert client.get(f"{URL}/{pending}/pdf").status_code == 404
    assert client.post(f"{URL}/{pending}/answer", {"comment": "好"}, format="json").status_code == 404


def test_a_unit_admin_of_another_unit_cannot_ask_about_a_stranger(w, api_as):
    u3_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"])
    r = ask(api_as(u3_admin), w.members["member"])
    assert r.status_code == 400


def test_the_pdf_of_an_answered_check(w, api_as, pending):
    client = api_as(w.users["community_admin"])
    r = client.get(f"{URL}/{pending}/pdf")
    assert r.status_code == 409 and r.json()["error"] == "not_closed"
    client.post(f"{URL}/{pending}/answer", {"comment": "积极参加社区服务"}, format="json")
    r = api_as(w.users["district_admin"]).get(f"{URL}/{pending}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages)
    assert "李明" in text and "积极参加社区服务" in text and "幸福社区" in text


def test_the_pdf_of_an_explained_check(w, api_as, unexplained):
    client = api_as(w.users["unit_admin"])
    client.post(f"{URL}/{unexplained}/explain", {"explanation": "该同志长期外派。"}, format="json")
    r = client.get(f"{URL}/{unexplained}/pdf")
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages)
    assert "未到居住地社区报到" in text and "该同志长期外派" in text


def _grant(user, role, *, unit=None, region=None):
    from baodao.accounts.models import Grant

    Grant.objects.create(user=user, role=role, unit=unit, region=region)
    return user


def test_a_unit_admin_who_is_the_member_neither_asks_nor_sees(w, api_as, reg):
    me = _grant(w.users["member"], Role.UNIT_ADMIN, unit=w.units["U1"])
    r = ask(api_as(me), w.members["member"])
    assert r.status_code == 403 and r.json()["detail"] == "不能对本人发起任前考察。"
    check = ask(api_as(w.users["district_admin"]), w.members["member"]).json()["id"]
    client = api_as(me)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}/{check}").status_code == 404
    assert client.post(f"{URL}/{check}/explain", {"explanation": "x"}, format="json").status_code == 404


def test_a_unit_admin_does_not_explain_its_own_absence(w, api_as, newcomer):
    me = _grant(newcomer.user, Role.UNIT_ADMIN, unit=w.units["U1"])
    check = ask(api_as(w.users["district_admin"]), newcomer).json()["id"]
    r = api_as(me).post(f"{URL}/{check}/explain", {"explanation": "我很忙"}, format="json")
    assert r.status_code == 404
    assert Check.objects.get(pk=check).status == "explanation_required"


def test_a_community_admin_who_is_the_member_neither_sees_nor_answers(w, api_as, pending):
    me = _grant(w.users["member"], Role.COMMUNITY_ADMIN, region=w.r("C1"))
    client = api_as(me)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}/{pending}").status_code == 404
    r = client.post(f"{URL}/{pending}/answer", {"comment": "本人表现很好"}, format="json")
    assert r.status_code == 404
    assert Check.objects.get(pk=pending).status == "pending"


def test_the_state_is_looked_at_before_the_person(w, api_as, pending, unexplained):
    # the asker of an unexplained check answers it; the community explains a pending one: wrong state, 409
    r = api_as(w.users["district_admin"]).post(
        f"{URL}/{unexplained}/answer", {"comment": "好"}, format="json"
    )
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    r = api_as(w.users["community_admin"]).post(
        f"{URL}/{pending}/explain", {"explanation": "x"}, format="json"
    )
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"


def test_a_member_off_the_roster_is_400(w, api_as, newcomer):
    from baodao.members.models import Member

    Member.objects.filter(pk=newcomer.pk).update(on_roster=False)
    r = ask(api_as(w.users["unit_admin"]), newcomer)
    assert r.status_code == 400 and r.json()["fields"]["member"] == ["该党员已不在本单位名册。"]
    assert not Check.objects.exists()
