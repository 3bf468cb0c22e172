"""The checklist pages: detail with items and versions, one version's items, the items editor that
publishes a new version, a new checklist and "copy as my own". The services are tested in
test_services.py; here we test the doors (rights, 404 outside the scope, 400 on bad input)."""

import re

import pytest
from django.urls import reverse

from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.inspections import checklist_forms, services
from anjian.inspections.models import ChecklistTemplate, ChecklistVersion, InspectionKind

pytestmark = pytest.mark.django_db

LIST = reverse("inspections:checklists-list")
CREATE = reverse("inspections:checklists-create")


def detail_url(template):
    return reverse("inspections:checklists-detail", args=[template.pk])


def publish_url(template):
    return reverse("inspections:checklists-publish", args=[template.pk])


def copy_url(template):
    return reverse("inspections:checklists-copy", args=[template.pk])


def version_url(template, number=None):
    args = [template.pk] if number is None else [template.pk, number]
    return reverse("inspections:checklist-versions", args=args)


def library(code):
    return ChecklistTemplate.objects.get(library_code=code, owner_region=None, owner_enterprise=None)


def own_checklist(world, **fields):
    return services.checklist_create(
        actor=world.enterprise_admin_a,
        name="本厂日检",
        items=[
            {"text": "通道畅通"},
            {"text": "配电箱上锁", "clause": "GB/T 13869-2017"},
            {"text": "接地电阻", "answer_type": "number", "min_value": 0, "max_value": 4, "unit": "Ω"},
        ],
        **fields,
    )


def rows(template, **extra):
    """The POST of the editor as the page renders it for the current version (rows unchanged)."""
    initial = checklist_forms.initial_items(template.current_version)
    data = {
        "items-TOTAL_FORMS": str(len(initial)),
        "items-INITIAL_FORMS": str(len(initial)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "300",
        "note": "",
    }
    data["base"] = str(template.current_version.number)
    for index, row in enumerate(initial):
        data[f"items-{index}-ORDER"] = str(index + 1)
        for name, value in row.items():
            if name == "photo_required":
                if value:
                    data[f"items-{index}-{name}"] = "on"
            else:
                data[f"items-{index}-{name}"] = "" if value is None else str(value)
    data.update(extra)
    return data


def new_row(data, index, **fields):
    """Append a row (an "extra" form) to posted editor data."""
    data[f"items-{index}-answer_type"] = "check"
    for name, value in fields.items():
        data[f"items-{index}-{name}"] = value
    data["items-TOTAL_FORMS"] = str(index + 1)
    return data


# --- detail and versions --------------------------------------------------------------------------


def test_detail_shows_items_with_clause_badges_and_the_version_history(client, world):
    template = library("ZX-FCFB")
    client.force_login(world.grid_inspector_a)
    page = client.get(detail_url(template)).content.decode()
    assert page.count('class="list-group-item d-flex gap-2 align-items-start checklist-item"') == 30
    assert "泄爆口朝向安全区域" in page and "GB/T 15605-2008" in page and "粉尘防爆" in page
    assert "重大隐患 FC-03" in page and "须拍照" in page
    assert 'id="version-history"' in page and "标准库首次发布" in page
    assert version_url(template, 1) in page
    assert "涉爆粉尘" in page  # applicability
    assert publish_url(template) not in page  # the library is the platform admin's
    assert copy_url(template) not in page  # a grid inspector does not build checklists


def test_number_items_show_their_range(client, world):
    client.force_login(world.district_admin)
    page = client.get(detail_url(library("TS-SX"))).content.decode()
    assert "19.5–21 %vol" in page and "≤ 0.5 %vol" in page
    page = client.get(detail_url(library("DQ-TY"))).content.decode()
    assert "≤ 4 Ω" in page and "≥ 0.5 MΩ" in page


def test_detail_page_queries_do_not_grow_with_items(client, world, django_assert_max_num_queries):
    client.force_login(world.district_admin)
    client.get(detail_url(library("GMZD-GL")))
    with django_assert_max_num_queries(20):
        assert client.get(detail_url(library("XF-TY"))).status_code == 200


def test_a_version_page_shows_that_versions_items(client, world):
    template = own_checklist(world)
    services.checklist_publish(actor=world.enterprise_admin_a, template=template, items=[{"text": "新版唯一项"}])
    client.force_login(world.enterprise_admin_a)
    old = client.get(version_url(template, 1)).content.decode()
    assert "通道畅通" in old and "新版唯一项" not in old and "历史版本" in old
    current = client.get(version_url(template)).content.decode()
    assert "新版唯一项" in current and "通道畅通" not in current and "当前版本" in current
    assert client.get(version_url(template, 3)).status_code == 404
    assert client.post(version_url(template, 1)).status_code == 405


@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
def test_outsiders_get_404_on_every_checklist_page(client, world, outsider):
    template = own_checklist(world)
    client.force_login(getattr(world, outsider))
    for url in (detail_url(template), version_url(template), version_url(template, 1), publish_url(template)):
        assert client.get(url).status_code == 404, url
    assert client.post(publish_url(template), rows(template)).status_code == 404
    assert client.get(copy_url(template)).status_code == 404
    assert client.post(copy_url(template), {"name": "偷来的"}).status_code == 404
    assert ChecklistVersion.objects.filter(template=template).count() == 1
    assert not ChecklistTemplate.objects.filter(name="偷来的").exists()


# --- edit and publish ---------------------------------------------------------------------------


def test_publishing_through_the_page_makes_version_2_and_old_inspections_keep_version_1(client, world):
    template = own_checklist(world)
    old = services.inspection_start(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=template)
    client.force_login(world.enterprise_admin_a)
    page = client.get(publish_url(template))
    assert page.status_code == 200
    assert page.content.decode().count('class="card mb-2 item-row') == 4  # three rows and a blank one

    data = rows(template, note="增加消防检查，删除配电箱项")
    data["items-0-ORDER"] = "9"  # 通道畅通 moves to the end
    data["items-1-DELETE"] = "on"  # 配电箱上锁 goes
    new_row(data, 3, text="灭火器压力正常", category="S03", photo_required="on", ORDER="1.5")
    response = client.post(publish_url(template), data)
    assert response.status_code == 302 and response.url == detail_url(template)

    template.refresh_from_db()
    version = template.current_version
    assert version.number == 2 and version.note == "增加消防检查，删除配电箱项"
    assert version.published_by == world.enterprise_admin_a
    items = list(version.items.select_related("category").order_by("position"))
    assert [i.text for i in items] == ["灭火器压力正常", "接地电阻", "通道畅通"]
    assert items[0].category.code == "S03" and items[0].photo_required
    assert (items[1].answer_type, items[1].min_value, items[1].max_value, items[1].unit) == ("number", 0, 4, "Ω")

    old.refresh_from_db()
    assert old.checklist_version.number == 1
    assert [i.text for i in old.checklist_version.items.order_by("position")] == ["通道畅通", "配电箱上锁", "接地电阻"]
    page = client.get(reverse("inspections:inspections-detail", args=[old.pk])).content.decode()
    assert "配电箱上锁" in page
    new = services.inspection_start(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=template)
    assert new.checklist_version == version

    detail = client.get(detail_url(template)).content.decode()
    assert "第2版" in detail and version_url(template, 1) in detail and version_url(template, 2) in detail


def test_add_row_shows_the_editor_again_without_publishing(client, world):
    template = own_checklist(world)
    client.force_login(world.enterprise_admin_a)
    response = client.post(publish_url(template), rows(template, add_row="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="card mb-2 item-row') == 4
    assert 'name="items-TOTAL_FORMS" value="4"' in page
    assert template.versions.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items-0-DELETE": "on", "items-1-DELETE": "on", "items-2-DELETE": "on"}, "体检卡至少需要一个检查项"),
        ({"items-2-min_value": "5", "items-2-max_value": "1"}, "下限不能大于上限"),
        ({"items-2-min_value": "", "items-2-max_value": ""}, "数值题须给出下限或上限"),
        ({"items-0-text": ""}, "这个字段是必填项"),
        ({"items-0-major_criterion": "XX-99"}, "判定依据不存在：XX-99"),
        ({"items-0-category": "NOPE"}, "NOPE"),
        ({"items-1-answer_type": "essay"}, "essay"),
        ({"base": "7"}, "他人已发布了新版本"),
    ],
)
def test_bad_input_answers_400_with_the_reason_and_publishes_nothing(client, world, change, message):
    template = own_checklist(world)
    client.force_login(world.enterprise_admin_a)
    response = client.post(publish_url(template), rows(template, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    template.refresh_from_db()
    assert template.current_version.number == 1 and template.versions.count() == 1


def test_a_major_criterion_code_links_the_item(client, world):
    template = own_checklist(world)
    client.force_login(world.enterprise_admin_a)
    response = client.post(publish_url(template), rows(template, **{"items-0-major_criterion": "fc-10"}))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.current_version.items.get(position=1).major_criterion.code == "FC-10"


def test_who_may_publish(client, world):
    own = own_checklist(world)
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so_a")
    # In scope but not allowed: the page says why, a POST answers 403 and changes nothing.
    for user in (world.employee_a, world.district_admin, world.grid_inspector_a):
        client.force_login(user)
        page = client.get(publish_url(own))
        assert page.status_code == 200 and 'id="edit-refused"' in page.content.decode()
        assert 'id="publish-form"' not in page.content.decode()
        assert client.post(publish_url(own), rows(own)).status_code == 403
    assert own.versions.count() == 1
    # The enterprise's safety officer may.
    client.force_login(officer)
    assert client.post(publish_url(own), rows(own)).status_code == 302
    # The library: only the platform admin.
    fire = library("XF-TY")
    client.force_login(world.enterprise_admin_a)
    assert "复制为本单位" in client.get(publish_url(fire)).content.decode()
    assert client.post(publish_url(fire), rows(fire)).status_code == 403
    client.force_login(world.platform_admin)
    assert client.post(publish_url(fire), rows(fire, note="年度修订")).status_code == 302
    fire.refresh_from_db()
    assert fire.current_version.number == 2
    assert fire.current_version.items.count() == fire.versions.get(number=1).items.count()


def test_a_district_template_is_edited_by_its_district_admin(client, world):
    district = services.checklist_create(actor=world.district_admin, name="区夏季检查", items=[{"text": "防汛物资"}])
    client.force_login(world.district_admin)
    assert client.post(publish_url(district), rows(district)).status_code == 302
    client.force_login(world.town_admin_a)  # sees it, may not change it
    assert client.get(publish_url(district)).status_code == 200
    assert client.post(publish_url(district), rows(district)).status_code == 403
    assert district.versions.count() == 2


# --- new checklist ------------------------------------------------------------------------------


def create_data(**extra):
    data = {
        "name": "喷漆房每日检查",
        "description": "开工前",
        "industry_prefixes": "c33，C34",
        "venue_types": [],
        "risk_tags": ["喷涂作业"],
        "kinds": ["self_check"],
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "300",
    }
    new_row(data, 0, text="喷漆房通风机运行正常", clause="GB 6514-2008", category="S05")
    new_row(data, 1, text="可燃气体浓度", answer_type="number", max_value="25", unit="%LEL")
    new_row(data, 2)  # a blank row is ignored
    data.update(extra)
    return data


def test_an_enterprise_admin_creates_a_checklist_of_his_own(client, world):
    client.force_login(world.enterprise_admin_a)
    assert client.get(CREATE).status_code == 200
    assert CREATE in client.get(LIST).content.decode()  # the list offers it
    response = client.post(CREATE, create_data())
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(name="喷漆房每日检查")
    assert response.url == detail_url(template)
    assert template.owner_enterprise == world.enterprise_a and template.owner_region is None
    assert template.industry_prefixes == ["C33", "C34"] and template.risk_tags == ["喷涂作业"]
    assert template.kinds == [InspectionKind.SELF_CHECK] and template.description == "开工前"
    version = template.current_version
    assert version.number == 1 and version.published_by == world.enterprise_admin_a
    assert [(i.text, i.answer_type) for i in version.items.order_by("position")] == [
        ("喷漆房通风机运行正常", "check"),
        ("可燃气体浓度", "number"),
    ]


def test_a_district_admin_creates_a_district_checklist(client, world):
    client.force_login(world.district_admin)
    assert client.post(CREATE, create_data(industry_prefixes="", risk_tags=[], kinds=[])).status_code == 302
    template = ChecklistTemplate.objects.get(name="喷漆房每日检查")
    assert template.owner_region_id == world.district_admin.region_id and template.owner_enterprise is None
    assert template in services.checklists_for(world.enterprise_b)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "此字段为必填项"),  # the declared action's wording, page and API alike
        ({"industry_prefixes": "C33, Z99"}, "未知的行业代码：Z99"),
        ({"items-0-text": "", "items-1-text": ""}, "体检卡至少需要一个检查项"),
        ({"items-1-min_value": "30"}, "下限不能大于上限"),
    ],
)
def test_create_refuses_bad_input(client, world, change, message):
    client.force_login(world.enterprise_admin_a)
    data = create_data(**change)
    if change.get("items-0-text") == "":  # both rows emptied: nothing left to publish
        data["items-1-answer_type"] = "check"
        data["items-1-max_value"] = data["items-1-unit"] = data["items-0-clause"] = data["items-0-category"] = ""
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChecklistTemplate.objects.filter(created_by=world.enterprise_admin_a).exists()


def test_only_admins_and_safety_officers_create(client, world):
    for user in (world.employee_a, world.grid_inspector_a, world.town_admin_a):
        client.force_login(user)
        assert client.get(CREATE).status_code == 404
        assert client.post(CREATE, create_data()).status_code == 404
        assert CREATE not in client.get(LIST).content.decode()
    assert not ChecklistTemplate.objects.filter(name="喷漆房每日检查").exists()


# --- copy ---------------------------------------------------------------------------------------


def test_copy_a_library_checklist_as_my_own(client, world):
    source = library("ZX-FCFB")
    client.force_login(world.enterprise_admin_a)
    page = client.get(copy_url(source)).content.decode()
    assert 'value="粉尘防爆专项检查表"' in page and "30 个检查项" in page
    response = client.post(copy_url(source), {"name": "本厂粉尘防爆检查", "risk_tags": ["涉爆粉尘"]})
    assert response.status_code == 302
    copy = ChecklistTemplate.objects.get(name="本厂粉尘防爆检查")
    assert response.url == detail_url(copy)
    assert copy.owner_enterprise == world.enterprise_a and copy.library_code == ""
    assert copy.risk_tags == ["涉爆粉尘"] and copy.industry_prefixes == []
    theirs = list(source.current_version.items.order_by("position"))
    mine = list(copy.current_version.items.order_by("position"))
    assert [(i.text, i.clause, i.category_id, i.major_criterion_id, i.photo_required) for i in mine] == [
        (i.text, i.clause, i.category_id, i.major_criterion_id, i.photo_required) for i in theirs
    ]
    source.refresh_from_db()
    assert source.current_version.number == 1 and source.owner_enterprise is None
    # Now his own: he may publish a new version of it.
    assert client.get(detail_url(copy)).content.decode().count(publish_url(copy)) == 1


def test_who_may_copy(client, world):
    source = library("CS-CY")
    client.force_login(world.employee_a)
    page = client.get(copy_url(source))
    assert page.status_code == 200 and 'id="action-refused"' in page.content.decode()
    assert client.post(copy_url(source), {"name": "员工的副本"}).status_code == 400
    client.force_login(world.district_admin)
    assert client.post(copy_url(source), {"name": "区餐饮燃气检查", "venue_types": ["restaurant"]}).status_code == 302
    copy = ChecklistTemplate.objects.get(name="区餐饮燃气检查")
    assert copy.owner_region_id == world.district_admin.region_id and copy.venue_types == ["restaurant"]
    assert not ChecklistTemplate.objects.filter(name="员工的副本").exists()


def test_copy_form_errors_answer_400(client, world):
    client.force_login(world.enterprise_admin_a)
    response = client.post(copy_url(library("CS-SC")), {"name": ""})
    assert response.status_code == 400
    assert re.search(r"invalid-feedback[^>]*>此字段为必填项", response.content.decode())


def test_settings_change_name_and_applicability_but_not_items(client, world):
    from django.urls import reverse

    from anjian.core.audit import history
    from anjian.inspections import services as inspection_services

    template = inspection_services.checklist_create(
        actor=world.enterprise_admin_a, name="本厂日检", items=[{"text": "通道畅通"}]
    )
    url = reverse("inspections:checklists-settings", args=[template.pk])
    client.force_login(world.enterprise_admin_a)
    response = client.post(
        url, {"name": "本厂夜班日检", "description": "夜班", "kinds": ["self_check"], "active": "on"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "本厂夜班日检" and template.kinds == ["self_check"] and template.current_version.number == 1
    assert history(template).first().changes["name"] == ["本厂日检", "本厂夜班日检"]
    assert client.post(url, {"name": ""}).status_code == 400
    client.force_login(world.employee_a)
    assert client.post(url, {"name": "改名"}).status_code == 400
    template.refresh_from_db()
    assert template.name == "本厂夜班日检"
