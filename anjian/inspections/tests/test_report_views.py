"""Monthly safety report pages (安全情况报审): submit, return with a reason, correct and resubmit,
approve; the wrong people get 404 and refusals 400 with nothing changed."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from anjian.core.attachments import attachments_for
from anjian.hazards.tests.factories import photo
from anjian.inspections.models import MonthlyReport, MonthlyReportStatus
from anjian.inspections.tests.test_rates import report

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 5, 12)
SUBMIT = "/inspections/monthly-reports/submit/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


def test_the_whole_round_trip(client, world):
    assert reverse("inspections:monthly-report-submit") == SUBMIT
    client.force_login(world.enterprise_admin_a)
    page = client.get(SUBMIT)
    html = page.content.decode()
    assert page.status_code == 200 and "2026年5月" in html and 'capture="environment"' in html
    assert "2026-04" in html  # last month is still missing: offered

    response = client.post(
        SUBMIT, {"month": "2026-05", "passages": "通道畅通", "electrical": "线路规范", "photos": [photo()]}
    )
    report = MonthlyReport.objects.get(enterprise=world.enterprise_a, month=dt.date(2026, 5, 1))
    assert response.status_code == 302 and response.url == reverse(
        "inspections:monthly-reports-detail", args=[report.pk]
    )
    assert report.status == MonthlyReportStatus.SUBMITTED and report.electrical == "线路规范"
    assert attachments_for(report).count() == 1

    # The grid inspector reads it and returns it: a reason is required.
    client.force_login(world.grid_inspector_a)
    detail = client.get(reverse("inspections:monthly-reports-detail", args=[report.pk])).content.decode()
    assert "通道畅通" in detail and f"/inspections/monthly-reports/{report.pk}/return/" in detail
    return_url = reverse("inspections:monthly-reports-return", args=[report.pk])
    assert client.get(return_url).status_code == 200
    assert client.post(return_url, {"reason": ""}).status_code == 400
    assert MonthlyReport.objects.get(pk=report.pk).status == MonthlyReportStatus.SUBMITTED
    assert client.post(return_url, {"reason": "缺少配电房照片"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.reviewed_by) == (
        MonthlyReportStatus.RETURNED,
        "缺少配电房照片",
        world.grid_inspector_a,
    )

    # The enterprise sees the reason, corrects and resubmits.
    client.force_login(world.enterprise_admin_a)
    page = client.get(SUBMIT, {"month": "2026-05"}).content.decode()
    assert "缺少配电房照片" in page and "线路规范" in page  # the returned text, to correct
    detail = client.get(reverse("inspections:monthly-reports-detail", args=[report.pk])).content.decode()
    assert 'id="resubmit-link"' in detail
    assert client.post(SUBMIT, {"month": "2026-05", "passages": "通道畅通", "other": "已补照片"}).status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReportStatus.SUBMITTED and report.other == "已补照片"

    # A district admin approves it; approving again is refused.
    client.force_login(world.district_admin)
    approve_url = reverse("inspections:monthly-reports-approve", args=[report.pk])
    assert client.post(approve_url).status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReportStatus.APPROVED and report.reviewed_by == world.district_admin
    again = client.get(approve_url)
    assert again.status_code == 200 and 'id="action-refused"' in again.content.decode()
    assert client.post(approve_url).status_code == 400
    detail = client.get(reverse("inspections:monthly-reports-detail", args=[report.pk])).content.decode()
    assert 'id="history"' in detail and str(world.district_admin) in detail
    assert f"/inspections/monthly-reports/{report.pk}/approve/" not in detail  # nothing left to review

    # An approved month cannot be submitted again.
    client.force_login(world.enterprise_admin_a)
    assert client.post(SUBMIT, {"month": "2026-05", "passages": "改"}).status_code == 400
    assert 'id="report-locked"' in client.get(SUBMIT).content.decode()


def test_submit_refusals(client, world):
    client.force_login(world.enterprise_admin_a)
    assert client.post(SUBMIT, {"month": "2026-05", "passages": " "}).status_code == 400  # nothing said
    assert client.get(SUBMIT, {"month": "2026-13"}).status_code == 400
    assert client.post(SUBMIT, {"month": "2026-06", "passages": "x"}).status_code == 400  # the future
    assert not MonthlyReport.objects.exists()
    # A previous month still missing may be filed late.
    assert client.post(SUBMIT, {"month": "2026-03", "passages": "补报"}).status_code == 302
    assert MonthlyReport.objects.get().month == dt.date(2026, 3, 1)


def test_wrong_roles_get_404(client, world):
    submitted = report(
        world.enterprise_a, dt.date(2026, 4, 1), MonthlyReportStatus.SUBMITTED, dt.datetime(2026, 5, 2, tzinfo=SHANGHAI)
    )
    for user in (world.district_admin, world.grid_inspector_a, world.platform_admin):
        client.force_login(user)
        assert client.get(SUBMIT).status_code == 404  # only an enterprise submits
    approve = reverse("inspections:monthly-reports-approve", args=[submitted.pk])
    back = reverse("inspections:monthly-reports-return", args=[submitted.pk])
    for user in (world.enterprise_admin_b, world.town_admin_b):
        client.force_login(user)
        assert client.get(approve).status_code == 404
        assert client.post(approve).status_code == 404
        assert client.post(back, {"reason": "x"}).status_code == 404
    # The enterprise sees its own report, and is told it may not review it.
    client.force_login(world.enterprise_admin_a)
    assert "您无权对该月度安全情况报告执行此操作" in client.get(approve).content.decode()
    assert client.post(approve).status_code == 400
    assert client.post(back, {"reason": "x"}).status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == MonthlyReportStatus.SUBMITTED and submitted.reviewed_by is None
    client.force_login(world.town_admin_a)
    assert client.post(back, {"reason": "请补充用电情况"}).status_code == 302


def test_list_offers_the_submit_page_to_an_enterprise(client, world):
    client.force_login(world.enterprise_admin_a)
    html = client.get(reverse("inspections:monthly-reports-list")).content.decode()
    assert SUBMIT in html
    client.force_login(world.district_admin)
    html = client.get(reverse("inspections:monthly-reports-list")).content.decode()
    assert SUBMIT not in html and reverse("inspections:coverage") in html
