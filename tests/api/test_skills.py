from baodao.members.models import Skill


def test_it_refuses_anonymous_callers(db, anon):
    assert anon.get("/api/v1/skills").status_code == 401


def test_it_lists_the_vocabulary(w, api_as):
    r = api_as(w.users["member"]).get("/api/v1/skills")
    assert r.status_code == 200
    assert r.json() == [{"code": c, "label": label} for c, label in Skill.choices]
    assert {"code": "legal", "label": "法律咨询"} in r.json()
