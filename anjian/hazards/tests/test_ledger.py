"""The hazard ledger (隐患台账) of an enterprise: page, Excel and PDF, scoped to the reader."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards import ledger as ledger_module
from anjian.hazards.models import Hazard, HazardStatus
from anjian.hazards.tests.factories import HazardFactory, category

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def url(enterprise, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/hazards/ledger/{enterprise.pk}/" + (f"?{query}" if query else "")


@pytest.fixture
def hazards(world):
    worker = enterprise_user(world.enterprise_a, role=Role.EMPLOYEE, username="worker_a", display_name="张三")
    safety = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a", display_name="李四")
    closed = HazardFactory(
        enterprise=world.enterprise_a,
        place="二号车间配电箱",
        description="配电箱门缺失，线路裸露",
        status=HazardStatus.CLOSED,
        reported_at=dt.datetime(2021, 3, 2, 10, tzinfo=TZ),
        responsible=worker,
        deadline=dt.date(2021, 3, 9),
        measures="更换箱门，线路穿管",
        rectified_at=dt.datetime(2021, 3, 5, 16, tzinfo=TZ),
        cost=Decimal("350.00"),
        verified_by=safety,
        closed_at=dt.datetime(2021, 3, 6, 9, tzinfo=TZ),
    )
    open_ = HazardFactory(
        enterprise=world.enterprise_a,
        place="仓库安全出口",
        category=category("S03"),
        description="安全出口被货物堵塞",
        status=HazardStatus.ASSIGNED,
        reported_at=dt.datetime(2021, 5, 1, 9, tzinfo=TZ),
        responsible=worker,
        deadline=dt.date(2021, 5, 3),
    )
    cancelled = HazardFactory(
        enterprise=world.enterprise_a, status=HazardStatus.CANCELLED, reported_at=dt.datetime(2021, 6, 1, tzinfo=TZ)
    )
    HazardFactory(enterprise=world.enterprise_a, reported_at=dt.datetime(2020, 12, 31, 23, tzinfo=TZ))  # other year
    HazardFactory(enterprise=world.enterprise_b, reported_at=dt.datetime(2021, 3, 3, tzinfo=TZ))  # other enterprise
    return [closed, open_, cancelled]


def test_page_lists_the_years_hazards(client, world, hazards):
    client.force_login(world.district_admin)
    response = client.get(url(world.enterprise_a, year=2021))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.enterprise_a.name in page and world.enterprise_a.credit_code in page
    assert page.count('href="/hazards/') >= 3
    assert "二号车间配电箱" in page and "仓库安全出口" in page
    assert "共 3 条：已销号 1 条，未销号 1 条，已撤销 1 条" in page


def test_excel_has_header_and_rows(client, world, hazards):
    client.force_login(world.enterprise_admin_a)
    response = client.get(url(world.enterprise_a, year=2021, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "隐患排查治理台账"
    assert world.enterprise_a.name in rows[1][0] and world.enterprise_a.credit_code in rows[1][0]
    assert "2021-01-01 至 2021-12-31" in rows[2][0] and "打印人" in rows[2][0]
    assert rows[3][:5] == ("序号", "发现日期", "隐患部位", "隐患类别", "隐患描述")
    data = rows[4:7]
    assert [r[0] for r in data] == [1, 2, 3]
    first = data[0]
    assert first[1] == dt.datetime(2021, 3, 2)
    assert first[2:5] == ("二号车间配电箱", "电气安全", "配电箱门缺失，线路裸露")
    assert first[7] == "张三" and first[8] == dt.datetime(2021, 3, 9) and first[9] == "更换箱门，线路穿管"
    assert first[10] == dt.datetime(2021, 3, 5) and first[11] == 350.0 and first[12] == "李四"
    assert first[13] == dt.datetime(2021, 3, 6) and first[14] == "已销号"
    assert data[1][14] == "整改中" and data[2][14] == "已撤销"
    assert rows[7][0].startswith("共 3 条")
    assert sheet.page_setup.orientation == "landscape"


def test_pdf_builds(client, world, hazards):
    client.force_login(world.town_admin_a)
    response = client.get(url(world.enterprise_a, year=2021, format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1000


def test_pdf_of_200_rows_wraps_onto_several_pages(world):
    reported = dt.datetime(2021, 2, 1, 9, tzinfo=TZ)
    Hazard.objects.bulk_create(
        [
            Hazard(
                enterprise=world.enterprise_a,
                region=world.enterprise_a.region,
                place=f"{n}号车间东侧配电箱与电缆桥架交汇处",
                category=category(),
                description="配电箱门缺失，线路裸露，电缆桥架盖板缺失多处，临时用电线路私拉乱接" * 2,
                measures="更换箱门，线路穿管，恢复桥架盖板，拆除私拉线路并规范敷设",
                source="self_check",
                reported_at=reported + dt.timedelta(hours=n),
            )
            for n in range(200)
        ]
    )
    ledger = ledger_module.build_ledger(world.district_admin, world.enterprise_a, 2021)
    assert len(ledger.hazards) == 200
    pdf = ledger_module.ledger_pdf(ledger)
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages > 5


def test_empty_year_still_builds(client, world):
    client.force_login(world.district_admin)
    assert client.get(url(world.enterprise_a, year=2019, format="pdf")).content.startswith(b"%PDF")
    assert client.get(url(world.enterprise_a, year=2019)).status_code == 200


@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
@pytest.mark.parametrize("fmt", ["", "xlsx", "pdf"])
def test_outsiders_get_404(client, world, hazards, outsider, fmt):
    client.force_login(getattr(world, outsider))
    assert client.get(url(world.enterprise_a, year=2021, format=fmt)).status_code == 404
    assert client.get("/hazards/ledger/999999/").status_code == 404


def test_get_only_and_login_required(client, world):
    assert client.get(url(world.enterprise_a)).status_code == 302
    client.force_login(world.district_admin)
    assert client.post(url(world.enterprise_a)).status_code == 405


def test_year_defaults_to_this_year(client, world):
    client.force_login(world.district_admin)
    this_year = timezone.localdate().year
    for value in ("", "abc", "1066"):
        page = client.get(url(world.enterprise_a, year=value)).content.decode()
        assert f"隐患排查治理台账 · {this_year}" in page
