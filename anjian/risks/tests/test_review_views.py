"""The monthly self-review pages: the enterprise confirms; the government sees who did."""

import pytest
from django.urls import reverse

from anjian.risks import services
from anjian.risks.models import RiskReview
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db


def test_enterprise_confirms_the_month(client, world):
    risk_chain(world.enterprise_admin_a, world.enterprise_a)
    url = reverse("risks:review-confirm")
    client.force_login(world.enterprise_admin_a)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="review-pending"' in body and 'id="review-form"' in body
    assert dict((level, n) for level, _label, _colour, n in page.context["rows"])["high"] == 1
    response = client.post(url, {"note": "新增空压机房"})
    assert response.status_code == 302
    review = RiskReview.objects.get()
    assert review.enterprise == world.enterprise_a and review.note == "新增空压机房"
    again = client.get(url).content.decode()
    assert 'id="review-done"' in again and 'id="review-form"' not in again
    # a second confirmation in the month is refused, nothing added
    assert client.post(url, {"note": "再次"}).status_code == 403
    assert RiskReview.objects.count() == 1


def test_unassessed_points_block_and_are_listed(client, world):
    services.risk_point_create(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, data={"name": "喷涂车间", "kind": "area"}
    )
    client.force_login(world.enterprise_admin_a)
    page = client.get(reverse("risks:review-confirm")).content.decode()
    assert 'id="review-unassessed"' in page and "喷涂车间" in page
    response = client.post(reverse("risks:review-confirm"), {"note": ""})
    assert response.status_code == 400 and "未评价" in response.content.decode()
    assert not RiskReview.objects.exists()


def test_employee_reads_but_cannot_confirm(client, world):
    risk_chain(world.enterprise_admin_a, world.enterprise_a)
    client.force_login(world.employee_a)
    page = client.get(reverse("risks:review-confirm")).content.decode()
    assert 'id="review-form"' not in page
    assert client.post(reverse("risks:review-confirm"), {"note": "x"}).status_code == 403
    assert not RiskReview.objects.exists()


def test_status_lists_only_enterprises_in_scope(client, world):
    risk_chain(world.enterprise_admin_a, world.enterprise_a)
    risk_chain(world.enterprise_admin_b, world.enterprise_b)
    services.risk_review_confirm(actor=world.enterprise_admin_a, enterprise=world.enterprise_a)
    url = reverse("risks:review-status")
    client.force_login(world.district_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert (page.context["total"], page.context["done"], page.context["missing"]) == (2, 1, 1)
    assert {row["name"] for row in page.context["by_town"]} == {"城厢镇", "沙溪镇"}
    missing = client.get(url, {"state": "missing"}).content.decode()
    assert world.enterprise_b.name in missing and world.enterprise_a.name not in missing
    client.force_login(world.town_admin_b)
    page = client.get(url)
    body = page.content.decode()
    assert world.enterprise_a.name not in body and world.enterprise_b.name in body
    assert (page.context["total"], page.context["done"]) == (1, 0)
    # enterprise users have no status page; government is sent there from the confirm page
    client.force_login(world.enterprise_admin_b)
    assert client.get(url).status_code == 404
    client.force_login(world.town_admin_a)
    assert client.get(reverse("risks:review-confirm")).status_code == 302
    # a past month: nobody confirmed
    client.force_login(world.district_admin)
    assert client.get(url, {"month": "2020-01"}).context["done"] == 0
