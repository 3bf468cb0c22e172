"""Excel import of a risk list: template, dry run listing every problem of every row,
all-or-nothing import through the risk services, scoping of the enterprise."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.core.exporting import XLSX
from anjian.risks import importing
from anjian.risks.models import ControlMeasure, RiskAssessment, RiskEvent, RiskPoint
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db

UPLOAD = reverse("risks:risk-import")
TEMPLATE = reverse("risks:risk-import-template")
CONFIRM = reverse("risks:risk-import-confirm")
KEYS = [c.key for c in importing.COLUMNS]
HEADERS = [importing.header_text(c) for c in importing.COLUMNS]


def row(**values) -> dict:
    base = {
        "point_name": "空压机房",
        "place": "二车间东侧",
        "point_kind": "设备设施",
        "accident_types": "容器爆炸、火灾",
        "equipment_count": 2,
        "point_responsible": "王强",
        "point_phone": "13812345678",
        "method": "LEC",
        "likelihood": 3,
        "exposure": 6,
        "consequence": 15,
        "event_name": "储气罐超压爆炸",
        "event_accident_type": "容器爆炸",
        "event_consequence": "人员伤亡",
        "measure_kind": "工程技术措施",
        "measure": "安全阀每年校验",
        "owning_level": "车间(部门)级",
        "owning_unit": "设备科",
        "measure_responsible": "李明",
    }
    base.update(values)
    return base


def continuation(**values) -> dict:
    """A later row of the same point and event: only the measure columns."""
    base = {"point_name": "空压机房", "event_name": "储气罐超压爆炸", "measure_kind": "管理措施"}
    base["owning_level"] = "班组级"
    base.update(values)
    return base


def good_rows() -> list[dict]:
    return [
        row(),
        continuation(measure="压力表在检定期内"),
        continuation(
            event_name="噪声伤害", event_accident_type="其他伤害", measure="佩戴耳塞", measure_kind="个体防护措施"
        ),
        # 5 × 5 = 25 under LS → 重大
        row(
            point_name="液氨储罐区",
            point_kind="区域场所",
            accident_types="中毒和窒息",
            method="LS",
            likelihood=5,
            exposure=None,
            consequence=5,
            event_name="液氨泄漏中毒",
            event_accident_type="中毒和窒息",
            measure_kind="应急处置措施",
            measure="配备正压式空气呼吸器",
            owning_level="公司级",
        ),
        # 1 × 1 × 1 = 1 → 低
        row(
            point_name="配电间",
            point_kind="区域场所",
            accident_types="触电",
            likelihood=1,
            exposure=1,
            consequence=1,
            event_name="触电",
            event_accident_type="触电",
            measure="绝缘垫完好",
            owning_level="岗位级",
        ),
    ]


def xlsx(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(key) for key in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, enterprise, data: bytes, name: str = "风险清单.xlsx"):
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(UPLOAD, {"enterprise": enterprise.pk, "file": file})


def problems(response) -> dict[int, list[str]]:
    report = response.context["report"]
    return {r.number: [f"{p.column}: {p.message}" for p in r.problems] for r in report.rows if r.problems}


def test_template_download_lists_allowed_values(client, world):
    client.force_login(world.enterprise_admin_a)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == [importing.DATA_SHEET_TITLE, importing.VALUES_SHEET_TITLE]
    assert [c.value for c in workbook[importing.DATA_SHEET_TITLE][1]] == HEADERS
    values = workbook[importing.VALUES_SHEET_TITLE]
    columns = {
        values.cell(1, col).value: [c.value for c in next(values.iter_cols(col, col, 2))] for col in range(1, 10)
    }
    assert "设备设施" in columns["风险点类型"]
    assert "容器爆炸" in columns["事故类型"] and len(columns["事故类型"]) == 20
    assert "工程技术措施" in columns["措施类别"]
    assert "车间(部门)级" in columns["管控层级"]
    assert "0.5" in [str(v) for v in columns["LEC: L"]]


def test_good_file_imports_points_events_and_measures_with_levels(client, world):
    client.force_login(world.enterprise_admin_a)
    response = upload(client, world.enterprise_a, xlsx(good_rows()))
    assert response.status_code == 200, problems(response)
    report = response.context["report"]
    assert report.ok and len(report.points) == 3 and report.event_count == 4 and report.measure_count == 5
    assert RiskPoint.objects.count() == 0  # the dry run writes nothing
    token = response.context["token"]

    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 302
    points = {p.name: p for p in RiskPoint.objects.filter(enterprise=world.enterprise_a)}
    assert {name: p.level for name, p in points.items()} == {"空压机房": "high", "液氨储罐区": "major", "配电间": "low"}
    compressor = points["空压机房"]
    assert compressor.kind == "equipment" and compressor.equipment_count == 2
    assert set(compressor.accident_types) == {"vessel", "fire", "other"}  # the events' types are added
    assert RiskEvent.objects.filter(risk_point__enterprise=world.enterprise_a).count() == 4
    assert ControlMeasure.objects.filter(event__risk_point=compressor).count() == 3
    measure = ControlMeasure.objects.get(description="压力表在检定期内")
    assert (measure.kind.code, measure.owning_level) == ("management", "team")
    assessment = RiskAssessment.objects.get(risk_point=points["液氨储罐区"])
    assert (assessment.method, assessment.score, assessment.exposure) == ("ls", 25, None)
    # The token is spent.
    assert client.post(CONFIRM, {"token": token}).status_code == 404


def test_bad_rows_list_every_problem_and_import_nothing(client, world):
    risk_chain(world.enterprise_admin_a, world.enterprise_a)  # makes "空压机房"
    before = (RiskPoint.objects.count(), RiskEvent.objects.count(), ControlMeasure.objects.count())
    rows = [
        row(point_name="储罐区", point_kind="仓库"),  # row 2: unknown kind
        row(point_name="锅炉房", likelihood=4),  # row 3: 4 is not an LEC L value
        row(point_name="危废间", measure="", measure_kind="不存在的类别"),  # row 4: missing measure, unknown kind
        row(),  # row 5: 空压机房 already exists
        row(point_name="配电间", point_kind="区域场所"),  # row 6: fine
        continuation(point_name="配电间", event_name="储气罐超压爆炸", method="LS"),  # row 7: disagrees with row 6
    ]
    client.force_login(world.enterprise_admin_a)
    response = upload(client, world.enterprise_a, xlsx(rows))
    assert response.status_code == 200
    found = problems(response)
    assert set(found) == {2, 3, 4, 5, 7}
    assert any(p.startswith("风险点类型: 未知的风险点类型") for p in found[2])
    assert any(p.startswith("L: 取值不在该评价方法的标准取值表中") for p in found[3])
    assert any(p.startswith("管控措施: 必填") for p in found[4])
    assert any(p.startswith("措施类别: 未知的措施类别") for p in found[4])
    assert any("已有名为“空压机房”的风险点" in p for p in found[5])
    assert any(p.startswith("评价方法: 与第 6 行") for p in found[7])
    assert response.context["token"] is None
    page = response.content.decode()
    assert 'id="import-problems"' in page and "第 7 行" in page
    assert (RiskPoint.objects.count(), RiskEvent.objects.count(), ControlMeasure.objects.count()) == before

    # Nothing to confirm, and the good rows alone were not imported.
    assert not RiskPoint.objects.filter(name="配电间").exists()


def test_import_rows_is_all_or_nothing_when_a_service_refuses(world, monkeypatch):
    from django.core.exceptions import ValidationError

    from anjian.risks import services

    rows = importing.parse_workbook(xlsx(good_rows()))
    real = services.control_measure_create
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise ValidationError({"description": ["服务拒绝"]})
        return real(**kwargs)

    monkeypatch.setattr(services, "control_measure_create", failing)
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_rows(rows, world.enterprise_admin_a, world.enterprise_a)
    assert RiskPoint.objects.count() == 0 and RiskEvent.objects.count() == 0
    [bad] = caught.value.report.bad_rows
    assert [(p.column, p.message) for p in bad.problems] == [("管控措施", "服务拒绝")]


def test_files_that_are_not_xlsx_are_refused(client, world):
    client.force_login(world.enterprise_admin_a)
    for data, name in ((b"name,place\n", "风险.csv"), (b"PK\x03\x04broken", "风险.xlsx"), (b"", "empty.xlsx")):
        response = upload(client, world.enterprise_a, data, name)
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
    assert RiskPoint.objects.count() == 0


def test_missing_required_column_is_named(client, world):
    client.force_login(world.enterprise_admin_a)
    headers = [h for h in HEADERS if not h.startswith("管控措施")]
    response = upload(client, world.enterprise_a, xlsx([row()], headers))
    assert response.status_code == 400
    assert "管控措施" in response.context["form"].errors["file"][0]


def test_row_limit(world, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(importing.WorkbookError):
        importing.parse_workbook(xlsx([row(), row(point_name="二"), row(point_name="三")]))


@pytest.mark.parametrize("outsider", ["enterprise_admin_b", "town_admin_a", "town_admin_b", "employee_a"])
def test_outsiders_cannot_import_into_enterprise_a(client, world, outsider):
    client.force_login(getattr(world, outsider))
    assert upload(client, world.enterprise_a, xlsx(good_rows())).status_code == 404
    assert client.get(UPLOAD, {"enterprise": world.enterprise_a.pk}).status_code == 404
    assert RiskPoint.objects.count() == 0


def test_another_user_cannot_confirm_someone_elses_upload(client, world):
    client.force_login(world.enterprise_admin_a)
    token = upload(client, world.enterprise_a, xlsx(good_rows())).context["token"]
    client.force_login(world.enterprise_admin_b)
    assert client.post(CONFIRM, {"token": token}).status_code == 404
    assert RiskPoint.objects.count() == 0


def test_confirm_validates_again(client, world):
    client.force_login(world.enterprise_admin_a)
    token = upload(client, world.enterprise_a, xlsx(good_rows())).context["token"]
    risk_chain(world.enterprise_admin_a, world.enterprise_a)  # "空压机房" appears meanwhile
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 400
    assert 2 in problems(response)
    assert RiskPoint.objects.count() == 1


def test_platform_admin_picks_the_enterprise(client, world):
    client.force_login(world.platform_admin)
    page = client.get(UPLOAD, {"q": "城厢"})
    assert page.status_code == 200
    assert f"?enterprise={world.enterprise_a.pk}" in page.content.decode()
    page = client.get(UPLOAD, {"enterprise": world.enterprise_a.pk})
    assert page.status_code == 200 and world.enterprise_a.name in page.content.decode()
    response = upload(client, world.enterprise_a, xlsx(good_rows()))
    assert client.post(CONFIRM, {"token": response.context["token"]}).status_code == 302
    assert RiskPoint.objects.filter(enterprise=world.enterprise_a).count() == 3


def test_list_actions_on_the_risk_point_list(client, world):
    client.force_login(world.enterprise_admin_a)
    page = client.get(reverse("risks:risk-points-list")).content.decode()
    assert UPLOAD in page and reverse("risks:dual-prevention-export") in page
    client.force_login(world.town_admin_a)
    page = client.get(reverse("risks:risk-points-list")).content.decode()
    assert UPLOAD not in page
