import pytest
from django.urls import reverse

from anjian.core.audit import history
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.factories import EnterpriseFactory, IndustryFactory, SupervisionClassFactory, TagFactory

pytestmark = pytest.mark.django_db
LIST = reverse("enterprises:enterprises-list")


def test_list_filters_search_sort_and_paginate(client, world):
    dust = TagFactory(name="涉爆粉尘")
    cls_d = SupervisionClassFactory(code="D", label="重点", patrol_cycle_months=1)
    IndustryFactory(code="C", name="制造业")
    wood = IndustryFactory(code="C20", name="木材加工")
    world.enterprise_a.tags.add(dust)
    world.enterprise_a.supervision_class = cls_d
    world.enterprise_a.industry = wood
    world.enterprise_a.save()
    world.enterprise_b.legal_representative = "陈海"
    world.enterprise_b.save()
    for n in range(30):
        EnterpriseFactory(region=world.regions["grid_a2"], name=f"城厢批量{n:02d}厂")
    client.force_login(world.district_admin)

    def names(**params):
        return client.get(LIST, params).content.decode()

    assert "城厢精密机械" in names(tag="涉爆粉尘") and "沙溪化工" not in names(tag="涉爆粉尘")
    assert "城厢精密机械" in names(**{"class": "D"}) and "沙溪化工" not in names(**{"class": "D"})
    assert "城厢精密机械" in names(industry="C") and "沙溪化工" not in names(industry="C")
    assert "沙溪化工" in names(region="320585101") and "城厢精密" not in names(region="320585101")
    assert "沙溪化工" in names(q="沙溪") and "城厢精密" not in names(q="沙溪")
    assert "沙溪化工" in names(q=world.enterprise_b.credit_code)
    assert "沙溪化工" in names(q="陈海") and "城厢精密" not in names(q="陈海")  # legal representative
    page1 = names(sort="name")
    assert "共 32 条" in page1 and "第 1 / 2 页" in page1
    assert "城厢批量00厂" in page1
    assert "城厢批量00厂" not in names(sort="-name")


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for n in range(20):
        EnterpriseFactory(region=world.regions["grid_a"], name=f"批量{n}")
    client.force_login(world.district_admin)
    with django_assert_max_num_queries(14):
        assert client.get(LIST).status_code == 200


def test_htmx_request_gets_the_results_fragment(client, world):
    client.force_login(world.district_admin)
    response = client.get(LIST, {"q": "沙溪"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "沙溪化工" in body and "<html" not in body


def test_detail_shows_archive_sections_and_history(client, world):
    client.force_login(world.town_admin_a)
    body = client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])).content.decode()
    for section in ("基本信息", "属地与监管", "规模与生产", "安全管理", "重点风险要素"):
        assert section in body
    assert world.enterprise_a.credit_code in body


def test_government_creates_and_edits_through_the_form(client, world):
    from anjian.enterprises.tests.factories import make_credit_code

    client.force_login(world.town_admin_a)
    response = client.post(
        reverse("enterprises:enterprises-create"),
        {
            "credit_code": make_credit_code(777),
            "name": "城厢新建厂",
            "kind": "enterprise",
            "legal_representative": "周一",
            "address": "城厢镇1号",
            "region": world.regions["grid_a"].code,
            "scale": "small",
            "staff_count": 5,
            "standardization_grade": "none",
            "status": "operating",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Enterprise.objects.get(name="城厢新建厂")
    assert history(created).get().actor == world.town_admin_a


def test_bad_form_input_is_explained_and_changes_nothing(client, world):
    client.force_login(world.town_admin_a)
    response = client.post(
        reverse("enterprises:enterprises-create"),
        {"credit_code": "91320585000000000X", "name": "", "region": world.regions["grid_b"].code},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "校验位" in body or "统一社会信用代码" in body
    assert "这个字段是必填项" in body or "必填" in body
    assert not Enterprise.objects.filter(name="").exists()


def test_enterprise_admin_edit_form_only_has_profile_fields(client, world):
    client.force_login(world.enterprise_admin_a)
    url = reverse("enterprises:enterprises-edit", args=[world.enterprise_a.pk])
    body = client.get(url).content.decode()
    assert 'name="staff_count"' in body and 'name="credit_code"' not in body and 'name="region"' not in body
    client.post(url, {"staff_count": 99, "address": "新地址", "standardization_grade": "3", "name": "改名"})
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.staff_count == 99 and world.enterprise_a.name == "城厢精密机械有限公司"
    client.force_login(world.employee_a)
    assert client.get(url).status_code == 404


def test_each_role_lands_on_its_home(client, world):
    for user, marker in (
        (world.district_admin, "太仓市"),
        (world.town_admin_a, "城厢镇"),
        (world.enterprise_admin_a, "城厢精密机械有限公司"),
    ):
        client.force_login(user)
        assert marker in client.get(reverse("home")).content.decode()


def test_english_switch(client, world):
    client.force_login(world.district_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(LIST).content.decode()
    assert "Enterprise archive" in body or "Export Excel" in body


def test_detail_lists_attachments_and_bound_accounts_masked(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anjian.core.attachments import attachment_add
    from anjian.core.tests.test_attachments import PNG

    attachment_add(
        actor=world.enterprise_admin_a,
        owner=world.enterprise_a,
        upload=SimpleUploadedFile("营业执照.png", PNG, content_type="image/png"),
    )
    client.force_login(world.enterprise_admin_a)
    body = client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])).content.decode()
    assert "营业执照.png" in body
    assert 'name="file"' in body  # he may upload to his own enterprise
    assert world.employee_a.display_name in body
    assert world.employee_a.phone not in body and world.employee_a.phone[-4:] in body
    client.force_login(world.employee_a)
    body = client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])).content.decode()
    assert 'name="file"' not in body


def test_chinese_by_default_even_for_an_english_browser(client, world):
    client.force_login(world.district_admin)
    body = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "企业档案" in body and 'lang="zh-hans"' in body


def test_move_is_a_declared_action_on_the_page(client, world):
    """调整网格: the button on the detail page, the form, and the service (records follow)."""
    from django.urls import reverse

    enterprise = world.enterprise_a
    url = reverse("enterprises:enterprises-move", args=[enterprise.pk])
    client.force_login(world.town_admin_a)
    assert url in client.get(reverse("enterprises:enterprises-detail", args=[enterprise.pk])).content.decode()
    assert client.get(url).status_code == 200
    target = world.regions["grid_a2"].code
    response = client.post(url, {"region": target})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.region_id == target
    client.force_login(world.employee_a)
    assert client.post(url, {"region": world.enterprise_b.region_id}).status_code == 400
    enterprise.refresh_from_db()
    assert enterprise.region_id == target
    client.force_login(world.town_admin_b)
    assert client.get(url).status_code == 404
