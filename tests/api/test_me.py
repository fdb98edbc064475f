from baodao.members.models import Member
from baodao.org.services import branch_get_or_create
from tests.factories import ID_NUMBERS

ME = "/api/v1/me"
PROFILE = "/api/v1/me/profile"


def test_it_refuses_anonymous_callers(db, anon):
    assert anon.get(ME).status_code == 401
    assert anon.patch(PROFILE, {"pledge": "x"}, format="json").status_code == 401


def test_it_shows_a_member_itself_in_full(w, api_as):
    user = w.users["member"]
    body = api_as(user).get(ME).json()
    assert body["phone"] == user.phone
    assert body["grants"] == [
        {"role": "member", "role_label": "在职党员", "region": None, "unit": "U1", "can_unmask": False}
    ]
    member = body["member"]
    assert member["id"] == w.members["member"].pk
    assert member["phone"] == user.phone
    assert member["id_number"] == ID_NUMBERS[0]
    assert member["address"] == "1栋1单元101"
    assert member["unit"] == {"code": "U1", "name": "区税务局"}
    assert member["community"] == {"code": "C1", "name": "幸福社区"}
    assert member["grid"] == {"code": "C1G1", "name": "网格C1G1"}
    assert member["skills"] == ["legal"]
    assert member["registered"] is False


def test_it_shows_an_admin_its_grants_by_code_and_no_member(w, api_as):
    body = api_as(w.users["community_admin"]).get(ME).json()
    assert body["member"] is None
    assert body["grants"] == [
        {
            "role": "community_admin",
            "role_label": "社区党委",
            "region": "C1",
            "unit": None,
            "can_unmask": True,
        }
    ]


def test_it_updates_the_profile(w, api_as):
    branch_get_or_create(unit=w.units["U1"], name="第一党支部")
    r = api_as(w.users["member"]).patch(
        PROFILE,
        {
            "name": "李明明",
            "skills": ["法律咨询", "it"],
            "tags": ["会修电脑"],
            "preferences": ["governance"],
            "availability": ["sat-morning", "sun-evening"],
            "pledge": "每月为居民提供一次法律咨询",
            "branch": "第一党支部",
        },
        format="json",
    )
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "李明明"
    assert body["skills"] == ["legal", "it"]
    assert body["branch"] == "第一党支部"
    assert body["id_number"] == ID_NUMBERS[0]
    member = Member.objects.select_related("user", "branch").get(pk=w.members["member"].pk)
    assert member.user.name == "李明明"
    assert member.availability == ["sat-morning", "sun-evening"]
    assert member.pledge == "每月为居民提供一次法律咨询"
    assert member.branch is not None and member.branch.name == "第一党支部"


def test_it_changes_only_the_fields_sent(w, api_as):
    r = api_as(w.users["member"]).patch(PROFILE, {"pledge": "周末巡逻"}, format="json")
    assert r.status_code == 200
    assert r.json()["skills"] == ["legal"]
    assert r.json()["pledge"] == "周末巡逻"


def test_it_explains_bad_profile_input_in_chinese(w, api_as):
    client = api_as(w.users["member"])
    unknown_skill = client.patch(PROFILE, {"skills": ["跳伞"]}, format="json")
    assert unknown_skill.status_code == 400
    assert "无法识别的特长：跳伞" in unknown_skill.json()["detail"]
    assert "skills" in unknown_skill.json()["fields"]
    bad_slot = client.patch(PROFILE, {"availability": ["someday"]}, format="json")
    assert bad_slot.status_code == 400
    assert "格式不对" in bad_slot.json()["detail"]
    not_a_list = client.patch(PROFILE, {"tags": "abc"}, format="json")
    assert not_a_list.status_code == 400
    assert "列表" in not_a_list.json()["fields"]["tags"][0]
    no_branch = client.patch(PROFILE, {"branch": "不存在的支部"}, format="json")
    assert no_branch.status_code == 400
    assert no_branch.json()["fields"]["branch"] == ["本单位没有名为“不存在的支部”的党支部。"]


def test_it_has_no_profile_for_someone_who_is_not_a_member(w, api_as):
    r = api_as(w.users["community_admin"]).patch(PROFILE, {"pledge": "x"}, format="json")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
