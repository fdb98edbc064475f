"""One member's record: masked by default; unmasked once on request, audited, for those allowed."""

from baodao.audit.models import Action, AuditEvent
from tests.factories import ID_NUMBERS


def test_it_sends_anonymous_visitors_to_login(client, w):
    pk = w.members["member"].pk
    assert client.get(f"/members/{pk}/").url.startswith("/login/")
    assert client.post(f"/members/{pk}/unmask/").url.startswith("/login/")


def test_it_hides_a_member_out_of_scope(as_user, w):
    pk = w.members["member"].pk
    for role in ("other_community_admin", "far_community_admin", "other_unit_admin", "other_member"):
        client = as_user(w.users[role])
        assert client.get(f"/members/{pk}/").status_code == 404
        assert client.post(f"/members/{pk}/unmask/").status_code == 404
    assert as_user(w.users["community_admin"]).get("/members/999999/").status_code == 404


def test_it_shows_a_masked_record(as_user, w):
    m = w.members["member"]
    r = as_user(w.users["grid_worker"]).get(f"/members/{m.pk}/")
    html = r.text
    assert r.status_code == 200
    assert "110***********002X" in html and m.phone_masked in html
    assert ID_NUMBERS[0] not in html and m.user.phone not in html and m.address not in html
    assert "查看完整信息" not in html  # the grid worker may not unmask


def test_it_unmasks_once_and_audits_it(as_user, w):
    m = w.members["member"]
    client = as_user(w.users["community_admin"])
    assert ">查看完整信息</button>" in client.get(f"/members/{m.pk}/").text
    r = client.post(f"/members/{m.pk}/unmask/")
    assert r.status_code == 200
    assert ID_NUMBERS[0] in r.text and m.user.phone in r.text and m.address in r.text
    assert r["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action=Action.UNMASKED)
    assert (event.actor, event.target_id) == (w.users["community_admin"], str(m.pk))
    assert ID_NUMBERS[0] not in client.get(f"/members/{m.pk}/").text  # once: the next visit is masked


def test_it_refuses_unmasking_in_chinese_without_auditing(as_user, w):
    m = w.members["member"]
    r = as_user(w.users["grid_worker"]).post(f"/members/{m.pk}/unmask/")
    assert r.status_code == 403
    assert "您没有查看完整敏感信息的权限。" in r.text
    assert ID_NUMBERS[0] not in r.text
    assert not AuditEvent.objects.filter(action=Action.UNMASKED).exists()


def test_it_only_unmasks_by_post(as_user, w):
    assert (
        as_user(w.users["community_admin"]).get(f"/members/{w.members['member'].pk}/unmask/").status_code
        == 405
    )
