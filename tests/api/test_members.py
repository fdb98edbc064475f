import pytest

from baodao.audit.models import Action, AuditEvent
from tests import factories
from tests.factories import ID_NUMBERS

LIST = "/api/v1/members"


def detail(member):
    return f"{LIST}/{member.pk}"


def test_it_refuses_anonymous_callers(w, anon):
    m = w.members["member"]
    assert anon.get(LIST).status_code == 401
    assert anon.get(detail(m)).status_code == 401
    assert anon.post(f"{detail(m)}/unmask").status_code == 401


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("district_admin", {"member", "other_member"}),
        ("street_admin", {"member", "other_member"}),
        ("community_admin", {"member"}),
        ("grid_worker", {"member"}),
        ("unit_admin", {"member"}),
        ("other_unit_admin", {"other_member"}),
        ("member", {"member"}),
        ("resident", set()),
        ("far_community_admin", set()),
    ],
)
def test_it_lists_only_the_members_in_scope(w, api_as, role, expected):
    r = api_as(w.users[role]).get(LIST)
    assert r.status_code == 200
    ids = {x["id"] for x in r.json()["results"]}
    assert ids == {w.members[k].pk for k in expected}
    assert r.json()["count"] == len(expected)


def test_it_masks_phone_id_number_and_address_for_others(w, api_as):
    m = w.members["member"]
    for role in ("district_admin", "community_admin", "grid_worker", "unit_admin"):
        client = api_as(w.users[role])
        for r in (client.get(LIST), client.get(detail(m))):
            text = r.content.decode()
            assert r.status_code == 200
            assert m.user.phone not in text
            assert ID_NUMBERS[0] not in text
            assert m.id_number_hash not in text
            assert m.id_number_encrypted not in text
            assert "1栋1单元101" not in text
        shown = client.get(detail(m)).json()
        assert shown["phone"] == m.phone_masked == f"{m.user.phone[:3]}****{m.user.phone[-4:]}"
        assert shown["id_number"] == "110***********002X"
        assert shown["address"] == "1栋1单****"


def test_it_shows_the_member_its_own_phone_but_still_masks_the_id_number(w, api_as):
    m = w.members["member"]
    shown = api_as(m.user).get(detail(m)).json()
    assert shown["phone"] == m.user.phone
    assert shown["address"] == "1栋1单元101"
    assert shown["id_number"] == "110***********002X"


def test_it_shows_one_member(w, api_as):
    m = w.members["member"]
    body = api_as(w.users["community_admin"]).get(detail(m)).json()
    assert body["name"] == "李明"
    assert body["unit"] == {"code": "U1", "name": "区税务局"}
    assert body["community"] == {"code": "C1", "name": "幸福社区"}
    assert body["skills"] == ["legal"]
    assert body["pledge"] == "每月参加一次法律咨询"
    assert body["registered"] is False
    assert body["registered_community"] is None


def test_it_does_not_find_members_out_of_scope(w, api_as):
    other = w.members["other_member"]
    for role in ("community_admin", "grid_worker", "unit_admin", "member", "resident", "far_community_admin"):
        r = api_as(w.users[role]).get(detail(other))
        assert r.status_code == 404, role
        assert r.json() == {"error": "not_found", "detail": "没有找到该党员。", "fields": {}}
    assert api_as(w.users["district_admin"]).get(f"{LIST}/999999").status_code == 404


def test_it_filters_members(w, api_as):
    m = w.members["member"]
    factories.registered(m, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    client = api_as(w.users["street_admin"])

    def ids(**params):
        r = client.get(LIST, params)
        assert r.status_code == 200, r.json()
        return {x["id"] for x in r.json()["results"]}

    both = {m.pk, w.members["other_member"].pk}
    assert ids() == both
    assert ids(community="C1") == {m.pk}
    assert ids(grid="C2G1") == {w.members["other_member"].pk}
    assert ids(unit="U2") == {w.members["other_member"].pk}
    assert ids(skill="legal") == {m.pk}
    assert ids(registered="true") == {m.pk}
    assert ids(registered="false") == {w.members["other_member"].pk}
    assert ids(q="王") == {w.members["other_member"].pk}


def test_it_explains_bad_filters_in_chinese(w, api_as):
    client = api_as(w.users["street_admin"])
    bad_skill = client.get(LIST, {"skill": "flying"})
    assert bad_skill.status_code == 400
    assert bad_skill.json()["fields"]["skill"] == ["“flying” 不是合法选项。"]
    bad_bool = client.get(LIST, {"registered": "maybe"})
    assert bad_bool.status_code == 400
    assert bad_bool.json()["fields"]["registered"] == ["必须是有效的布尔值。"]


def test_it_unmasks_for_a_permitted_admin_and_audits_it(w, api_as):
    m = w.members["member"]
    admin = w.users["community_admin"]
    r = api_as(admin).post(f"{detail(m)}/unmask")
    assert r.status_code == 200
    assert r.json() == {"phone": m.user.phone, "id_number": ID_NUMBERS[0], "address": "1栋1单元101"}
    event = AuditEvent.objects.get(action=Action.UNMASKED)
    assert event.actor == admin
    assert event.target_id == str(m.pk)


def test_it_refuses_unmasking_to_an_admin_without_the_permission(w, api_as):
    m = w.members["member"]
    for role in ("grid_worker", "unit_admin", "street_admin"):
        r = api_as(w.users[role]).post(f"{detail(m)}/unmask")
        assert r.status_code == 403, role
        assert r.json()["detail"] == "您没有查看完整敏感信息的权限。"
    assert not AuditEvent.objects.filter(action=Action.UNMASKED).exists()


def test_it_does_not_find_a_member_to_unmask_out_of_scope(w, api_as):
    r = api_as(w.users["community_admin"]).post(f"{detail(w.members['other_member'])}/unmask")
    assert r.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.UNMASKED).exists()


def test_it_lets_a_member_unmask_itself_without_an_audit_entry(w, api_as):
    m = w.members["member"]
    r = api_as(m.user).post(f"{detail(m)}/unmask")
    assert r.status_code == 200
    assert r.json()["id_number"] == ID_NUMBERS[0]
    assert not AuditEvent.objects.filter(action=Action.UNMASKED).exists()
