"""Excel import of enterprises: template, dry run listing every problem, all-or-nothing import."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.core.exporting import XLSX
from anjian.core.models import AuditEntry
from anjian.core.roles import Role
from anjian.core.tests.factories import DepartmentFactory, government_user
from anjian.enterprises import importing, services
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.factories import (
    EnterpriseFactory,
    IndustryFactory,
    SupervisionClassFactory,
    TagFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db

UPLOAD = reverse("enterprises:enterprise-import")
TEMPLATE = reverse("enterprises:enterprise-import-template")
LIST = reverse("enterprises:enterprises-list")
HEADERS = [importing.header_text(c) for c in importing.COLUMNS]
GRID_A = "320585100001001"


def confirm_url(token) -> str:
    return reverse("enterprises:enterprise-import-confirm", args=[token])


def good_row(n: int, **values) -> dict:
    row = {
        "credit_code": make_credit_code(50_000 + n),
        "name": f"导入测试{n}号有限公司",
        "legal_representative": "陈立",
        "address": f"太仓市城厢镇导入路{n}号",
        "region": GRID_A,
    }
    row.update(values)
    return row


def xlsx(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    keys = [c.key for c in importing.COLUMNS]
    for row in rows:
        sheet.append([row.get(key) for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "企业.xlsx"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def problems(response) -> dict[int, list[str]]:
    """Row number -> "column: message" of every problem in the report."""
    report = response.context["report"]
    return {r.number: [f"{p.column}: {p.message}" for p in r.problems] for r in report.rows if r.problems}


def stored_uploads() -> list[str]:
    try:
        return default_storage.listdir("imports")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def lookups():
    IndustryFactory(code="C", name="制造业")
    IndustryFactory(code="C34", name="通用设备制造业")
    SupervisionClassFactory(code="B", label="一般", patrol_cycle_months=3)
    TagFactory(name="涉爆粉尘")
    TagFactory(name="有限空间")


def test_template_downloads_and_reimports_once_filled(client, world, lookups):
    client.force_login(world.town_admin_a)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["企业", "说明"]
    sheet = workbook["企业"]
    header = [c.value for c in sheet[1]]
    assert header == HEADERS and header[0] == "统一社会信用代码*" and sheet["A1"].font.b
    assert sheet.max_row == 1  # nothing to delete before filling
    help_text = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value is not None)
    for expected in ("大型", "中型", "小型", "微型", "B", "涉爆粉尘", "所属区划代码*"):
        assert expected in help_text
    regions = [row[0].value for row in workbook["区划代码"].iter_rows(min_row=2)]
    assert GRID_A in regions and "320585100" in regions
    assert not any(code.startswith("320585101") for code in regions)  # town B is not his
    assert "320585" not in regions  # not town level or below
    assert [row[0].value for row in workbook["网格员账号"].iter_rows(min_row=2)] == ["grid_a"]

    columns = {cell.value.rstrip("*"): cell.column for cell in sheet[1]}
    filled = [
        {
            "统一社会信用代码": make_credit_code(70_001),
            "名称": "模板导入一号厂",
            "法定代表人": "周敏",
            "地址": "太仓市城厢镇模板路1号",
            "所属区划代码": GRID_A,
            "行业代码": "C34",
            "规模": "中型",
            "从业人数": 120,
            "监管类别": "B",
            "标签": "涉爆粉尘、有限空间",
            "经度": 121.1,
            "纬度": 31.45,
            "联系电话": "13800001111",
            "安全管理人员": "吴刚",
            "安全管理人员电话": "13800002222",
            "主要产品": "齿轮",
            "成立日期": "2016-03-01",
            "企业管理员预留手机号": "13800003333",
            "责任网格员账号": "grid_a",
        },
        {
            "统一社会信用代码": make_credit_code(70_002).lower(),
            "名称": "模板导入二号厂",
            "法定代表人": "孙丽",
            "地址": "太仓市城厢镇模板路2号",
            "所属区划代码": "320585100",
            "标签": "有限空间,涉爆粉尘",
        },
    ]
    for offset, values in enumerate(filled, start=2):
        for header_name, value in values.items():
            sheet.cell(row=offset, column=columns[header_name], value=value)
    # The example row of the 说明 sheet, copied as it is, passes too.
    help_rows = list(workbook["说明"].iter_rows(values_only=True))
    example = help_rows[[r[0] for r in help_rows].index(HEADERS[0], 5) + 1]
    assert example[columns["责任网格员账号"] - 1] == "grid_a"
    for index, value in enumerate(example[: len(HEADERS)], start=1):
        sheet.cell(row=4, column=index, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = upload(client, buffer.getvalue())
    assert report.status_code == 200
    assert problems(report) == {}
    assert report.context["report"].valid_count == 3
    token = report.context["token"]
    assert token and f"{token}.xlsx" in stored_uploads()
    assert "确认导入" in report.content.decode()

    done = client.post(confirm_url(token), {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == LIST
    first = Enterprise.objects.get(credit_code=make_credit_code(70_001))
    assert first.name == "模板导入一号厂"
    assert first.region_id == GRID_A and first.industry_id == "C34" and first.scale == "medium"
    assert first.staff_count == 120 and first.supervision_class.code == "B"
    assert sorted(first.tags.values_list("name", flat=True)) == ["有限空间", "涉爆粉尘"]
    assert (first.longitude, first.latitude) == (121.1, 31.45)
    assert str(first.established_on) == "2016-03-01"
    assert first.grid_inspector == world.grid_inspector_a and first.admin_phone == "13800003333"
    second = Enterprise.objects.get(credit_code=make_credit_code(70_002))  # upper-cased
    assert second.scale == "small" and second.tags.count() == 2
    assert Enterprise.objects.get(credit_code=example[0]).name == "太仓市示例机械有限公司"
    assert stored_uploads() == []  # the pending file is gone


def test_one_bad_row_imports_nothing_and_names_it(client, world):
    before = Enterprise.objects.count()
    bad_code = make_credit_code(50_004)[:17] + ("0" if make_credit_code(50_004)[17] != "0" else "1")
    rows = [good_row(1), good_row(2), good_row(3), good_row(4, credit_code=bad_code)]
    client.force_login(world.town_admin_a)
    response = upload(client, xlsx(rows))
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total, report.valid_count) == (4, 3)
    assert problems(response) == {5: ["统一社会信用代码: 统一社会信用代码校验位错误"]}
    page = response.content.decode()
    assert "第 5 行" in page and "校验位错误" in page and "修正后重新上传" in page
    assert response.context["token"] is None and "import-confirm-form" not in page
    assert stored_uploads() == []
    assert Enterprise.objects.count() == before

    # The function the API will use refuses as a whole, too.
    with pytest.raises(importing.ImportRejected) as exc:
        importing.import_rows(importing.parse_workbook(xlsx(rows)), world.town_admin_a)
    assert [r.number for r in exc.value.report.bad_rows] == [5]
    assert Enterprise.objects.count() == before


def test_every_kind_of_problem_is_listed_at_once(client, world, lookups):
    government_user(Role.TOWN_ADMIN, world.regions["town_a"], username="not_an_inspector")
    rows = [
        good_row(1, name=None),  # row 2
        good_row(2, credit_code="91320585ABCDEFGHIO"),  # row 3: letters I/O not allowed
        good_row(3, credit_code=world.enterprise_a.credit_code),  # row 4: already in the archive
        good_row(4, region="320585100009"),  # row 5: no such region
        good_row(5, region="320585"),  # row 6: the district itself
        good_row(6, industry="X99"),  # row 7
        good_row(7, scale="巨型"),  # row 8
        good_row(8, supervision_class="Q"),  # row 9
        good_row(9, tags="涉爆粉尘、不存在的标签"),  # row 10
        good_row(10, contact_phone="12345"),  # row 11
        good_row(11, longitude=31.45, latitude=121.1),  # row 12: swapped
        good_row(12, grid_inspector="nobody"),  # row 13
        good_row(13, staff_count="很多"),  # row 14
        good_row(14, address=None, admin_phone="1380000", established_on="明年"),  # row 15: three at once
        good_row(15, latitude=31.4),  # row 16: longitude missing
        good_row(16, grid_inspector="not_an_inspector"),  # row 17
        good_row(17, region="320585100001002", grid_inspector="grid_a"),  # row 18: not his grid
        good_row(18, credit_code=float(913205850000000011)),  # row 19: Excel turned it into a number
    ]
    client.force_login(world.district_admin)
    response = upload(client, xlsx(rows))
    found = problems(response)
    assert sorted(found) == list(range(2, 20))
    expected = {
        2: "名称: 必填",
        3: "统一社会信用代码: 统一社会信用代码应为18位",
        4: "统一社会信用代码: 该统一社会信用代码已建档",
        5: "所属区划代码: 区划代码 320585100009 不存在",
        6: "所属区划代码: 企业应归属到镇街、村社区或网格",
        7: "行业代码: 未知的行业代码：X99",
        8: "规模: 规模应为大型、中型、小型或微型",
        9: "监管类别: 未知的监管类别：Q",
        10: "标签: 未知的标签：不存在的标签",
        11: "联系电话: 请输入11位手机号码",
        12: "经度: 经度应为",
        13: "责任网格员账号: 未找到网格员账号 nobody",
        14: "从业人数: 从业人数应为0到",
        16: "经度: 经度和纬度应同时填写",
        17: "责任网格员账号: 账号 not_an_inspector 不是在岗的网格员",
        18: "责任网格员账号: 该网格员不负责企业所在的网格",
        19: "统一社会信用代码: 该单元格被Excel当作数字保存",
    }
    for number, start in expected.items():
        assert any(message.startswith(start) for message in found[number]), (number, found[number])
    assert any(m.startswith("纬度: 纬度应为") for m in found[12])
    assert sorted(m.split(":")[0] for m in found[15]) == ["企业管理员预留手机号", "地址", "成立日期"]
    page = response.content.decode()
    for number in range(2, 20):
        assert f"第 {number} 行" in page
    assert response.context["report"].valid_count == 0


def test_duplicate_credit_code_in_the_file_names_both_rows(client, world):
    code = make_credit_code(60_000)
    rows = [good_row(1, credit_code=code), good_row(2), good_row(3, credit_code=code)]
    client.force_login(world.town_admin_a)
    found = problems(upload(client, xlsx(rows)))
    assert found == {
        2: ["统一社会信用代码: 与本表第 4 行的统一社会信用代码重复"],
        4: ["统一社会信用代码: 与本表第 2 行的统一社会信用代码重复"],
    }


def test_town_admin_cannot_import_into_another_town(client, world):
    other_inspector = government_user(Role.GRID_INSPECTOR, world.regions["grid_b"], username="grid_b")
    rows = [
        good_row(1, region="320585101001001"),
        good_row(2, grid_inspector=other_inspector.username),
        good_row(3, region="320585101"),
    ]
    client.force_login(world.town_admin_a)
    found = problems(upload(client, xlsx(rows)))
    assert found[2] == ["所属区划代码: 区划 320585101001001 不在您的辖区内"]
    # An inspector of another town looks like a missing account.
    assert found[3] == ["责任网格员账号: 未找到网格员账号 grid_b（或不在您的辖区内）"]
    assert found[4] == ["所属区划代码: 区划 320585101 不在您的辖区内"]
    assert not Enterprise.objects.filter(name__startswith="导入测试").exists()

    # The district admin may place them there.
    client.force_login(world.district_admin)
    rows[1]["region"] = "320585101001001"
    assert problems(upload(client, xlsx(rows))) == {}


def test_files_that_are_not_xlsx_are_refused(client, world, settings):
    client.force_login(world.town_admin_a)
    plain = upload(client, "统一社会信用代码,名称\n".encode(), name="企业.xlsx")
    assert plain.status_code == 400
    assert "不是有效的Excel（.xlsx）文件" in plain.content.decode()

    ole = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, name="old.xlsx")
    assert "不是有效的Excel（.xlsx）文件" in ole.content.decode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "a zip, not a workbook")
    assert "不是有效的Excel（.xlsx）文件" in upload(client, buffer.getvalue()).content.decode()

    no_header = xlsx([good_row(1)], headers=["名称", "地址"])
    assert "表头缺少必填列" in upload(client, no_header).content.decode()

    empty = xlsx([])
    assert "没有数据行" in upload(client, empty).content.decode()

    settings.ATTACHMENT_MAX_BYTES = 1000
    big = upload(client, xlsx([good_row(1)]))
    assert big.status_code == 400 and "文件过大" in big.content.decode()
    assert stored_uploads() == []


def test_row_limit(client, world, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    client.force_login(world.town_admin_a)
    response = upload(client, xlsx([good_row(n) for n in range(4)]))
    assert response.status_code == 400 and "一次最多 3 行" in response.content.decode()


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_excel(world):
    data = xlsx([good_row(1), {}, {}, good_row(2, name=None)])
    rows = importing.parse_workbook(data)
    assert [r.number for r in rows] == [2, 5]
    report = importing.validate_rows(rows, world.town_admin_a)
    assert [r.number for r in report.bad_rows] == [5]


@pytest.mark.parametrize("who", ["enterprise_admin_a", "employee_a", "department_officer"])
def test_users_who_may_not_create_enterprises_get_404_everywhere(client, world, who):
    owner = Client()
    owner.force_login(world.town_admin_a)
    token = upload(owner, xlsx([good_row(1)])).context["token"]
    if who == "department_officer":
        user = government_user(Role.DEPARTMENT_OFFICER, world.regions["district"], DepartmentFactory(code="yjj"))
    else:
        user = getattr(world, who)
    client.force_login(user)
    assert client.get(TEMPLATE).status_code == 404
    assert client.get(UPLOAD).status_code == 404
    assert upload(client, xlsx([good_row(2)])).status_code == 404
    assert client.get(confirm_url(token)).status_code == 404
    assert client.post(confirm_url(token)).status_code == 404
    assert client.post(confirm_url(uuid.uuid4())).status_code == 404
    assert "Excel导入" not in client.get(LIST).content.decode()
    assert not Enterprise.objects.filter(name__startswith="导入测试").exists()


def test_import_button_on_the_list_for_managers(client, world):
    client.force_login(world.town_admin_a)
    assert UPLOAD in client.get(LIST).content.decode()
    client.force_login(world.platform_admin)
    assert client.get(UPLOAD).status_code == 200


def test_successful_import_writes_audit_entries(client, world):
    client.force_login(world.town_admin_a)
    token = upload(client, xlsx([good_row(1), good_row(2), good_row(3)])).context["token"]
    response = client.post(confirm_url(token), {"confirm": "1"}, follow=True)
    assert "已导入 3 家企业" in response.content.decode()
    created = Enterprise.objects.filter(name__startswith="导入测试")
    assert created.count() == 3
    entries = AuditEntry.objects.filter(
        action="create",
        model="enterprises.enterprise",
        object_id__in=[str(pk) for pk in created.values_list("pk", flat=True)],
    )
    assert entries.count() == 3
    assert {e.actor_id for e in entries} == {world.town_admin_a.pk}
    # Confirming twice does nothing: the upload is spent.
    assert client.post(confirm_url(token)).status_code == 404


def test_another_user_cannot_confirm_someone_elses_upload(client, world):
    client.force_login(world.town_admin_a)
    token = upload(client, xlsx([good_row(1)])).context["token"]
    other = Client()
    other.force_login(world.district_admin)  # may import, but did not upload this
    assert other.post(confirm_url(token), {"confirm": "1"}).status_code == 404
    assert not Enterprise.objects.filter(name__startswith="导入测试").exists()
    assert client.post(confirm_url(token), {"confirm": "1"}).status_code == 302
    assert Enterprise.objects.filter(name__startswith="导入测试").count() == 1


def test_confirm_validates_again(client, world):
    client.force_login(world.town_admin_a)
    rows = [good_row(1), good_row(2)]
    token = upload(client, xlsx(rows)).context["token"]
    EnterpriseFactory(region=world.regions["grid_a"], credit_code=rows[1]["credit_code"], name="抢先建档厂")
    response = client.post(confirm_url(token), {"confirm": "1"})
    assert response.status_code == 400
    assert problems(response) == {3: ["统一社会信用代码: 该统一社会信用代码已建档"]}
    assert "没有写入任何数据" in response.content.decode()
    assert not Enterprise.objects.filter(name__startswith="导入测试").exists()
    assert stored_uploads() == []


def test_service_failure_on_one_row_rolls_back_all(world, monkeypatch):
    real_create = services.enterprise_create
    calls = []

    def failing_create(*, actor, data):
        calls.append(data["credit_code"])
        if len(calls) == 3:
            raise ValidationError({"region": ["只能把企业放在本辖区内"]})
        return real_create(actor=actor, data=data)

    monkeypatch.setattr(services, "enterprise_create", failing_create)
    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    rows = importing.parse_workbook(xlsx([good_row(1), good_row(2), good_row(3), good_row(4)]))
    with pytest.raises(importing.ImportRejected) as exc:
        importing.import_rows(rows, world.town_admin_a)
    assert [(r.number, [(p.column, p.message) for p in r.problems]) for r in exc.value.report.bad_rows] == [
        (4, [("所属区划代码", "只能把企业放在本辖区内")])
    ]
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before


def test_cancel_discards_the_upload(client, world):
    client.force_login(world.town_admin_a)
    token = upload(client, xlsx([good_row(1)])).context["token"]
    assert stored_uploads() == [f"{token}.xlsx"]
    assert client.get(confirm_url(token)).status_code == 405
    assert client.post(confirm_url(token), {"cancel": "1"}).status_code == 302
    assert stored_uploads() == []
    assert client.post(confirm_url(token), {"confirm": "1"}).status_code == 404
    assert not Enterprise.objects.filter(name__startswith="导入测试").exists()


def test_a_new_upload_replaces_the_pending_one(client, world):
    client.force_login(world.town_admin_a)
    first = upload(client, xlsx([good_row(1)])).context["token"]
    second = upload(client, xlsx([good_row(2)])).context["token"]
    assert stored_uploads() == [f"{second}.xlsx"]
    assert client.post(confirm_url(first)).status_code == 404


def test_upload_page_renders(client, world):
    client.force_login(world.grid_inspector_a)
    page = client.get(UPLOAD)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'accept=".xlsx' in html and TEMPLATE in html


def test_the_data_sheet_is_found_by_its_name(world):
    workbook = load_workbook(io.BytesIO(xlsx([good_row(1), good_row(2)])))
    workbook.active.title = "企业"
    workbook.create_sheet("备注", 0).append(["这里不是数据"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [r.number for r in importing.parse_workbook(buffer)] == [2, 3]


def test_stale_uploads_are_purged_and_then_cannot_be_confirmed(client, world):
    client.force_login(world.town_admin_a)
    token = upload(client, xlsx([good_row(1)])).context["token"]
    assert importing.purge_stale_uploads() == 0  # a fresh upload stays
    assert importing.purge_stale_uploads(older_than=timedelta(seconds=-1)) == 1
    assert stored_uploads() == []
    response = client.post(confirm_url(token), {"confirm": "1"}, follow=True)
    assert "上传的文件已失效，请重新上传" in response.content.decode()
    assert response.redirect_chain[-1][0] == UPLOAD
    assert not Enterprise.objects.filter(name__startswith="导入测试").exists()


def test_stale_upload_purge_is_a_scheduled_job():
    from anjian.core.jobs import HUEY
    from anjian.enterprises.jobs import purge_stale_import_uploads

    scheduled = {type(task) for task in HUEY._registry.periodic_tasks}
    assert purge_stale_import_uploads.task_class in scheduled
