from baodao.accounts.models import Grant, User
from baodao.audit.models import Action, AuditEvent
from baodao.members.models import Member
from tests.factories import ID_NUMBERS, PASSWORD

URL = "/api/v1/users"


def body(**extra):
    return {"phone": "13912345678", "name": "新同志", "password": PASSWORD, **extra}


def test_it_refuses_anonymous_callers(db, anon):
    r = anon.post(URL, body(role="resident", region="C1"), format="json")
    assert r.status_code == 401


def test_it_lets_a_community_admin_add_a_grid_worker_in_its_community(w, api_as):
    r = api_as(w.users["community_admin"]).post(URL, body(role="grid_worker", region="C1G2"), format="json")
    assert r.status_code == 201
    out = r.json()
    assert out["name"] == "新同志"
    assert out["phone"] == "139****5678"
    assert out["grants"] == [
        {"role": "grid_worker", "role_label": "网格员", "region": "C1G2", "unit": None, "can_unmask": False}
    ]
    assert out["member"] is None
    user = User.objects.get(phone="13912345678")
    assert user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action=Action.USER_CREATED, target_id=str(user.pk)).exists()


def test_it_lets_a_unit_admin_add_a_member_with_a_masked_id_number(w, api_as):
    r = api_as(w.users["unit_admin"]).post(
        URL,
        body(role="member", unit="U1", region="C1", id_number=ID_NUMBERS[2], skills=["健康医疗"]),
        format="json",
    )
    assert r.status_code == 201
    member = r.json()["member"]
    assert member["id_number"] == "440***********1231"
    assert member["phone"] == "139****5678"
    assert member["unit"]["code"] == "U1"
    assert member["community"]["code"] == "C1"
    assert member["skills"] == ["health"]
    assert ID_NUMBERS[2] not in r.content.decode()
    assert "13912345678" not in r.content.decode()
    stored = Member.objects.get(user__phone="13912345678")
    assert stored.id_number() == ID_NUMBERS[2]
    assert stored.id_number_hash not in r.content.decode()
    assert stored.id_number_encrypted not in r.content.decode()


def test_it_does_not_find_a_region_or_unit_outside_the_callers_scope(w, api_as):
    community_admin = api_as(w.users["community_admin"])
    assert (
        community_admin.post(URL, body(role="grid_worker", region="C2G1"), format="json").status_code == 404
    )
    unit_admin = api_as(w.users["unit_admin"])
    r = unit_admin.post(URL, body(role="member", unit="U2"), format="json")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert not User.objects.filter(phone="13912345678").exists()


def test_it_refuses_roles_the_caller_may_not_grant(w, api_as):
    r = api_as(w.users["community_admin"]).post(URL, body(role="street_admin", region="S1"), format="json")
    assert r.status_code == 404  # S1 lies outside C1: not found, not forbidden
    r = api_as(w.users["grid_worker"]).post(URL, body(role="grid_worker", region="C1G1"), format="json")
    assert r.status_code == 400
    assert r.json()["detail"] == "您不能授予该角色。"
    assert not Grant.objects.filter(user__phone="13912345678").exists()


def test_it_refuses_a_number_already_registered(w, api_as):
    r = api_as(w.users["community_admin"]).post(
        URL, body(role="resident", region="C1", phone=w.users["member"].phone), format="json"
    )
    assert r.status_code == 409
    assert r.json()["detail"] == "该手机号已注册。"


def test_it_explains_bad_input_in_chinese(w, api_as):
    client = api_as(w.users["community_admin"])
    bad_role = client.post(URL, body(role="mayor", region="C1"), format="json")
    assert bad_role.status_code == 400
    assert bad_role.json()["fields"]["role"] == ["“mayor” 不是合法选项。"]
    bad_phone = client.post(URL, body(role="resident", region="C1", phone="12345"), format="json")
    assert bad_phone.status_code == 400
    assert "手机号格式不正确" in bad_phone.json()["detail"]
    weak = client.post(URL, body(role="resident", region="C1", password="12345678"), format="json")
    assert weak.status_code == 400
    assert weak.json()["detail"].startswith("密码不符合要求")
    missing = client.post(URL, {"role": "resident"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"phone", "name", "password"}
    bad_id = api_as(w.users["unit_admin"]).post(
        URL, body(role="member", unit="U1", id_number="110105194912310021"), format="json"
    )
    assert bad_id.status_code == 400
    assert "身份证号码无效" in bad_id.json()["detail"]


def test_it_places_a_new_member_in_a_grid(w, api_as):
    r = api_as(w.users["street_admin"]).post(
        URL, body(role="member", unit="U2", region="C2G1"), format="json"
    )
    assert r.status_code == 201
    member = r.json()["member"]
    assert member["community"]["code"] == "C2"
    assert member["grid"]["code"] == "C2G1"


def test_it_passes_on_unmasking_only_from_someone_who_has_it(w, api_as):
    r = api_as(w.users["community_admin"]).post(
        URL, body(role="grid_worker", region="C1G2", can_unmask=True), format="json"
    )
    assert r.status_code == 201
    assert r.json()["grants"][0]["can_unmask"] is True
    r = api_as(w.users["street_admin"]).post(
        URL, body(role="community_admin", region="C2", can_unmask=True, phone="13912345679"), format="json"
    )
    assert r.status_code == 400
    assert r.json()["error"] == "forbidden_unmask"
