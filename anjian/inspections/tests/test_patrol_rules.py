import pytest
from django.urls import reverse

from anjian.inspections.models import PatrolRule

pytestmark = pytest.mark.django_db
LIST = reverse("inspections:patrol-rules-list")


def test_town_admin_sets_his_towns_rule_and_it_is_used(client, world):
    client.force_login(world.town_admin_a)
    response = client.post(
        reverse("inspections:patrol-rules-create"),
        {"kind": "grid_patrol", "region": world.regions["town_a"].code, "interval_days": 30},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = PatrolRule.objects.get(region=world.regions["town_a"], kind="grid_patrol")
    assert rule.interval_days == 30
    body = client.get(LIST).content.decode()
    assert "默认" in body  # the defaults are shown beside his own rule


def test_rules_outside_the_area_or_out_of_range_are_refused(client, world):
    client.force_login(world.town_admin_a)
    for data in (
        {"kind": "grid_patrol", "region": world.regions["town_b"].code, "interval_days": 30},
        {"kind": "grid_patrol", "region": world.regions["town_a"].code, "interval_days": 0},
    ):
        assert client.post(reverse("inspections:patrol-rules-create"), data).status_code == 400
    assert not PatrolRule.objects.filter(region__isnull=False).exists()
    default = PatrolRule.objects.get(region__isnull=True, kind="grid_patrol")
    assert client.get(reverse("inspections:patrol-rules-edit", args=[default.pk])).status_code == 404
    client.force_login(world.enterprise_admin_a)
    assert "没有符合条件的记录" in client.get(LIST).content.decode()  # enterprises see no plans
