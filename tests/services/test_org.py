import pytest
from django.http import Http404

from baodao.lib.errors import Conflict, Invalid
from baodao.org.models import Region, Unit
from baodao.org.selectors import communities_administered_by, region_get, regions_administered_by
from baodao.org.services import branch_get_or_create, region_create, unit_create


def test_it_builds_the_tree_with_materialised_paths(w):
    assert w.r("C1G1").path == "D1/S1/C1/C1G1/"
    assert w.r("D2").path == "D2/"
    assert w.r("S1").contains(w.r("C1G1"))
    assert not w.r("S2").contains(w.r("C1G1"))
    assert w.r("C1G1").district_code == "D1"


@pytest.mark.parametrize(
    ("parent", "level"),
    [
        ("D1", "community"),
        ("S1", "grid"),
        ("C1", "street"),
        ("C1G1", "grid"),
        ("S1", "street"),
        ("S1", "city"),
    ],
)
def test_it_refuses_a_level_that_does_not_fit_the_parent(w, parent, level):
    with pytest.raises(Invalid):
        region_create(actor=None, code="NEW", name="新区域", level=level, parent=w.r(parent))
    assert not Region.objects.filter(code="NEW").exists()


def test_only_a_district_has_no_parent(w):
    with pytest.raises(Invalid):
        region_create(actor=None, code="NEW", name="新街道", level="street", parent=None)
    with pytest.raises(Invalid):
        region_create(actor=w.users["district_admin"], code="D3", name="新区", level="district", parent=None)


def test_it_refuses_a_duplicate_code(w):
    with pytest.raises(Conflict) as exc:
        region_create(actor=None, code="C1", name="重复", level="community", parent=w.r("S2"))
    assert exc.value.code == "duplicate"


def test_it_refuses_a_code_that_differs_only_in_case(w):
    """Subtree filters compare path prefixes, case-blind on SQLite: `c1` beside `C1` would leak."""
    with pytest.raises(Conflict) as exc:
        region_create(actor=None, code="c1", name="大小写", level="community", parent=w.r("S2"))
    assert exc.value.code == "duplicate"
    assert not Region.objects.filter(code="c1").exists()


@pytest.mark.parametrize("code", ["", "A/B", "含中文", "a b", "x" * 33, "C9/", "C9\n"])
def test_it_refuses_a_code_that_would_break_the_tree(w, code):
    with pytest.raises(Invalid) as exc:
        region_create(actor=None, code=code, name="新社区", level="community", parent=w.r("S2"))
    assert "code" in exc.value.fields
    with pytest.raises(Invalid):
        unit_create(actor=None, code=code, name="新单位", region=w.r("S2"))


@pytest.mark.parametrize(
    ("persona", "parent", "level", "allowed"),
    [
        ("district_admin", "D1", "street", True),
        ("district_admin", "D2", "street", False),
        ("street_admin", "S1", "community", True),
        ("street_admin", "D1", "street", False),
        ("street_admin", "S2", "community", False),
        ("community_admin", "C1", "grid", True),
        ("community_admin", "C2", "grid", False),
        ("grid_worker", "C1", "grid", False),
        ("unit_admin", "S1", "community", False),
    ],
)
def test_it_creates_regions_inside_the_admins_subtree_only(w, persona, parent, level, allowed):
    def create():
        return region_create(
            actor=w.users[persona], code="NEW", name="新区域", level=level, parent=w.r(parent)
        )

    if allowed:
        assert create().path == f"{w.r(parent).path}NEW/"
    else:
        with pytest.raises(Http404):
            create()


def test_it_creates_units_in_districts_and_streets_only(w):
    assert unit_create(actor=w.users["street_admin"], code="U9", name="街道卫生院", region=w.r("S1")).pk
    with pytest.raises(Invalid):
        unit_create(actor=None, code="U8", name="社区单位", region=w.r("C1"))
    with pytest.raises(Http404):
        unit_create(actor=w.users["street_admin"], code="U7", name="别处单位", region=w.r("S2"))
    with pytest.raises(Http404):
        unit_create(actor=w.users["community_admin"], code="U6", name="单位", region=w.r("S1"))
    with pytest.raises(Conflict):
        unit_create(actor=None, code="U1", name="重复", region=w.r("S1"))
    assert not Unit.objects.filter(code__in=["U6", "U7", "U8"]).exists()


def test_it_reuses_a_branch_by_name(w):
    a = branch_get_or_create(unit=w.units["U1"], name="第一党支部 ")
    assert branch_get_or_create(unit=w.units["U1"], name="第一党支部") == a
    assert branch_get_or_create(unit=w.units["U2"], name="第一党支部") != a


def test_it_finds_regions_by_code_and_level(w):
    assert region_get("C1") == w.r("C1")
    assert region_get("C1", level="community") == w.r("C1")
    with pytest.raises(Http404):
        region_get("C1", level="street")
    with pytest.raises(Http404):
        region_get("NOPE")


def test_it_lists_the_regions_an_admin_administers(w):
    assert {r.code for r in regions_administered_by(w.users["street_admin"])} == {
        "S1",
        "C1",
        "C2",
        "C1G1",
        "C1G2",
        "C2G1",
    }
    assert {r.code for r in communities_administered_by(w.users["community_admin"])} == {"C1"}
    assert not communities_administered_by(w.users["street_admin"]).exists()
    assert not regions_administered_by(w.users["unit_admin"]).exists()
