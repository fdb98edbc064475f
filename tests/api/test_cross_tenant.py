"""Each role against the objects of another community and another unit: not found (404), never shown.

Places (see the `tenants` fixture): "neighbour" is C2/U2 in the same street, "street" is C3/U3 in the
other street of the same district, "far" is C4/U4 in another district. A role is tested against every place
outside its scope.
"""

import pytest

from baodao.registration.models import Registration, UnitRegistration

ROLES_OUTSIDE = {
    "district_admin": ["far"],
    "street_admin": ["street", "far"],
    "community_admin": ["neighbour", "street", "far"],
    "grid_worker": ["neighbour", "street", "far"],
    "unit_admin": ["neighbour", "street", "far"],
    "member": ["neighbour", "street", "far"],
    "resident": ["neighbour", "street", "far"],
}
CASES = [(role, place) for role, places in ROLES_OUTSIDE.items() for place in places]


def requests_for(objects):
    m, reg, unit, ur = (objects[k] for k in ("member", "registration", "unit", "unit_registration"))
    return [
        ("get", f"/api/v1/members/{m.pk}", None),
        ("post", f"/api/v1/members/{m.pk}/unmask", None),
        ("get", f"/api/v1/registrations/{reg.pk}", None),
        ("post", f"/api/v1/registrations/{reg.pk}/confirm", None),
        ("post", f"/api/v1/registrations/{reg.pk}/reject", {"reason": "越权"}),
        ("post", f"/api/v1/registrations/{reg.pk}/end", {"reason": "越权"}),
        ("get", f"/api/v1/units/{unit.code}", None),
        ("get", f"/api/v1/units/{unit.code}/coverage", None),
        ("get", f"/api/v1/unit-registrations/{ur.pk}", None),
        ("post", f"/api/v1/unit-registrations/{ur.pk}/confirm", None),
        ("post", f"/api/v1/unit-registrations/{ur.pk}/reject", {"reason": "越权"}),
        ("post", f"/api/v1/unit-registrations/{ur.pk}/end", {"reason": "越权"}),
    ]


@pytest.mark.parametrize(("role", "place"), CASES)
def test_it_does_not_find_objects_of_another_place(w, api_as, tenants, role, place):
    objects = tenants[place]
    client = api_as(w.users[role])
    wrong = {}
    for method, path, body in requests_for(objects):
        r = getattr(client, method)(path, body, format="json")
        if r.status_code != 404 or r.json()["error"] != "not_found":
            wrong[f"{method.upper()} {path}"] = r.status_code
    assert wrong == {}
    reg, ur = objects["registration"], objects["unit_registration"]
    assert Registration.objects.get(pk=reg.pk).status == reg.status
    assert UnitRegistration.objects.get(pk=ur.pk).status == ur.status


@pytest.mark.parametrize(("role", "place"), CASES)
def test_it_leaves_objects_of_another_place_out_of_every_list(w, api_as, tenants, role, place):
    objects = tenants[place]
    client = api_as(w.users[role])

    def listed(path, key="id"):
        r = client.get(path, {"page_size": 200})
        assert r.status_code == 200
        return {x[key] for x in r.json()["results"]}

    assert objects["member"].pk not in listed("/api/v1/members")
    assert objects["registration"].pk not in listed("/api/v1/registrations")
    assert objects["unit"].code not in listed("/api/v1/units", key="code")
    assert objects["unit_registration"].pk not in listed("/api/v1/unit-registrations")
    filtered = client.get("/api/v1/members", {"unit": objects["unit"].code}).json()
    assert filtered["count"] == 0


@pytest.mark.parametrize(
    ("role", "place"),
    [("district_admin", "neighbour"), ("district_admin", "street"), ("street_admin", "neighbour")],
)
def test_it_finds_the_same_objects_from_inside_their_scope(w, api_as, tenants, role, place):
    objects = tenants[place]
    client = api_as(w.users[role])
    assert client.get(f"/api/v1/members/{objects['member'].pk}").status_code == 200
    assert client.get(f"/api/v1/registrations/{objects['registration'].pk}").status_code == 200
    assert client.get(f"/api/v1/units/{objects['unit'].code}").status_code == 200
    assert client.get(f"/api/v1/unit-registrations/{objects['unit_registration'].pk}").status_code == 200
