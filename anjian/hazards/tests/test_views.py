"""The hazard pages: report, the action forms of the detail page, list tabs, my tasks, and the
public report. The services are tested in test_workflow.py; here we test the doors."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anjian.core.attachments import attachments_for
from anjian.core.models import Attachment
from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards import priority, services, views, workflow
from anjian.hazards.models import Hazard, HazardLevel, HazardSource, HazardStatus, MajorHazardCriterion
from anjian.hazards.tests.factories import category, photo

pytestmark = pytest.mark.django_db

REPORT = reverse("hazards:report")


@pytest.fixture
def safety(world):
    return enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a")


def action_url(hazard, action):
    return views.action_url(action, hazard)


def detail_url(hazard):
    return reverse("hazards:hazards-detail", args=[hazard.pk])


def report_data(**kw):
    data = {
        "place": "二号车间配电房",
        "category": category().code,
        "description": "配电箱门缺失，线路裸露",
        "suggested_level": "general",
        "source": "self_check",
    }
    data.update(kw)
    return data


def reported(world, actor=None, **kw):
    defaults = dict(
        actor=actor or world.employee_a,
        enterprise=world.enterprise_a,
        place="二号车间",
        category=category(),
        description="配电箱门缺失",
    )
    defaults.update(kw)
    return services.hazard_report(**defaults)


def assigned(world, safety, **kw):
    hazard = reported(world, **kw)
    return services.hazard_assign(
        actor=safety,
        hazard=hazard,
        responsible=world.employee_a,
        deadline=timezone.localdate() + dt.timedelta(days=7),
        measures="更换箱门",
    )


def errors_of(response) -> str:
    return response.content.decode()


# --- report -----------------------------------------------------------------------------------


def test_worker_reports_with_a_photo_from_the_page(client, world):
    client.force_login(world.employee_a)
    page = client.get(REPORT)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.enterprise_a.name in html and 'id="enterprise-search"' not in html  # his enterprise, fixed
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    assert "anjian/geo.js" in html
    response = client.post(
        REPORT,
        {**report_data(latitude="31.45", longitude="121.10"), "photos": [photo("现场1.png"), photo("现场2.png")]},
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(hazard)
    assert hazard.enterprise == world.enterprise_a and hazard.reported_by == world.employee_a
    assert hazard.source == HazardSource.SELF_CHECK and hazard.latitude == pytest.approx(31.45)
    assert [a.original_name for a in attachments_for(hazard)] == ["现场1.png", "现场2.png"]


def test_enterprise_user_may_name_the_pre_shift_meeting_as_source(client, world):
    client.force_login(world.employee_a)
    client.post(REPORT, report_data(source="meeting"))
    assert Hazard.objects.get().source == HazardSource.MEETING
    assert client.post(REPORT, report_data(source="public")).status_code == 400  # not his to claim


def test_bad_photo_is_refused_with_a_clear_message_and_nothing_is_saved(client, world):
    client.force_login(world.employee_a)
    fake = SimpleUploadedFile("现场.png", b"MZ\x90\x00 this is an exe", content_type="image/png")
    response = client.post(REPORT, {**report_data(), "photos": [photo(), fake]})
    assert response.status_code == 400
    assert "“现场.png”" in errors_of(response) and "不支持此文件类型" in errors_of(response)
    assert not Hazard.objects.exists() and not Attachment.objects.exists()


def field_blocks(html: str) -> dict[str, str]:
    """The rendered block of each field (``id="field-<name>"``) of a hazard form."""
    return {chunk.split('"', 1)[0]: chunk for chunk in html.split('id="field-')[1:]}


def test_missing_fields_are_shown_per_field(client, world):
    client.force_login(world.employee_a)
    response = client.post(REPORT, {"place": " ", "description": "", "category": "", "suggested_level": "general"})
    assert response.status_code == 400
    blocks = field_blocks(errors_of(response))
    for field in ("place", "category", "description"):
        assert "invalid-feedback" in blocks[field], field
    assert "invalid-feedback" not in blocks["photos"]
    assert not Hazard.objects.exists()


def test_government_user_picks_an_enterprise_in_his_scope(client, world):
    client.force_login(world.town_admin_a)
    page = client.get(REPORT)
    assert 'id="enterprise-search"' in page.content.decode()
    assert world.enterprise_b.name not in page.content.decode()  # no list of every enterprise
    found = client.get(reverse("enterprises:picker"), {"q": "有限公司"}).content.decode()
    assert world.enterprise_a.name in found and world.enterprise_b.name not in found
    refused = client.post(REPORT, report_data(enterprise=world.enterprise_b.pk))
    assert refused.status_code == 404 and not Hazard.objects.exists()
    response = client.post(REPORT, report_data(enterprise=world.enterprise_a.pk))
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and hazard.source == HazardSource.PATROL  # derived from the role


def test_report_from_the_enterprise_page_preselects_it(client, world):
    client.force_login(world.grid_inspector_a)
    detail = client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])).content.decode()
    url = reverse("hazards:report-enterprise", args=[world.enterprise_a.pk])
    assert url in detail and "上报隐患" in detail
    html = client.get(url).content.decode()
    assert f'name="enterprise" value="{world.enterprise_a.pk}" checked' in html
    assert client.get(REPORT, {"enterprise": world.enterprise_a.pk}).status_code == 200
    assert client.get(REPORT, {"enterprise": world.enterprise_b.pk}).status_code == 404
    response = client.post(url, report_data())
    assert response.status_code == 302 and Hazard.objects.get().enterprise == world.enterprise_a


# --- actions ----------------------------------------------------------------------------------


def test_the_loop_through_the_pages(client, world, safety):
    client.force_login(world.employee_a)
    client.post(REPORT, {**report_data(), "photos": [photo("现场.png")]})
    hazard = Hazard.objects.get()

    client.force_login(safety)
    detail = client.get(detail_url(hazard)).content.decode()
    assert action_url(hazard, "assign") in detail and action_url(hazard, "cancel") not in detail
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        action_url(hazard, "assign"),
        {
            "version": hazard.version,
            "responsible": world.employee_a.pk,
            "deadline": deadline,
            "measures": "更换箱门",
            "level": "general",
        },
    )
    assert response.status_code == 302, errors_of(response)
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.ASSIGNED and hazard.responsible == world.employee_a

    client.force_login(world.employee_a)
    response = client.post(
        action_url(hazard, "rectify"),
        {
            "version": hazard.version,
            "rectification": "已更换箱门",
            "cost": "350.00",
            "latitude": "31.45",
            "longitude": "121.1",
            "photos": [photo("整改后.png")],
        },
    )
    assert response.status_code == 302, errors_of(response)
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.SUBMITTED and str(hazard.cost) == "350.00"

    client.force_login(safety)
    response = client.post(action_url(hazard, "accept"), {"version": hazard.version, "comment": "验收合格"})
    assert response.status_code == 302, errors_of(response)
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED and hazard.verified_by == safety

    html = client.get(detail_url(hazard)).content.decode()
    step = hazard.transitions.get(action=workflow.RECTIFY)
    after = attachments_for(step).get()
    assert f"SHA-256 {after.sha256}" in html  # the after-photo's hash in the timeline
    assert 'id="photos-after"' in html and 'id="photos-before"' in html
    assert html.count('data-action="') == 4 and "验收合格" in html and "127.0.0.1" in html


def _state(hazard):
    h = Hazard.objects.get(pk=hazard.pk)
    return (h.status, h.version, h.measures, h.transitions.count())


def test_wrong_role_is_refused_with_400_and_changes_nothing(client, world, safety):
    hazard = reported(world)
    before = _state(hazard)
    client.force_login(world.employee_a)  # an employee does not assign
    data = {
        "version": hazard.version,
        "responsible": world.employee_a.pk,
        "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "measures": "自己分派自己",
        "level": "general",
    }
    response = client.post(action_url(hazard, "assign"), data)
    assert response.status_code == 400 and "您无权对该隐患执行此操作" in errors_of(response)
    client.force_login(safety)  # only government cancels
    response = client.post(action_url(hazard, "cancel"), {"version": hazard.version, "reason": "误报"})
    assert response.status_code == 400 and "您无权" in errors_of(response)
    assert _state(hazard) == before


def test_wrong_state_is_refused_with_400_and_changes_nothing(client, world, safety):
    hazard = reported(world)
    before = _state(hazard)
    client.force_login(safety)
    response = client.post(action_url(hazard, "accept"), {"version": hazard.version})
    assert response.status_code == 400 and "隐患当前为“待分派”，不能验收销号" in errors_of(response)
    assert _state(hazard) == before


def test_stale_form_loses_and_says_so(client, world, safety):
    hazard = reported(world)
    seen = hazard.version
    data = {
        "version": seen,
        "responsible": world.employee_a.pk,
        "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "measures": "第一个方案",
        "level": "general",
    }
    client.force_login(safety)
    assert client.post(action_url(hazard, "assign"), data).status_code == 302
    before = _state(hazard)
    response = client.post(action_url(hazard, "assign"), {**data, "measures": "另一个人的方案"})
    assert response.status_code == 400 and "已被他人处理，请刷新" in errors_of(response)
    assert _state(hazard) == before and before[2] == "第一个方案"


def test_assign_refuses_a_deadline_in_the_past_and_another_enterprises_person(client, world, safety):
    hazard = reported(world)
    client.force_login(safety)
    data = {
        "version": hazard.version,
        "responsible": world.enterprise_admin_b.pk,
        "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "measures": "x",
        "level": "general",
    }
    response = client.post(action_url(hazard, "assign"), data)
    html = errors_of(response)
    assert response.status_code == 400 and "整改期限不能早于今天" in html and 'id="field-responsible"' in html
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.REPORTED


def test_major_assignment_needs_the_plan_and_is_supervised(client, world, safety):
    criterion = MajorHazardCriterion.objects.create(
        code="T-1", standard="测试标准", field="粉尘防爆", text="除尘系统未设泄爆装置"
    )
    hazard = reported(world, suggested_level=HazardLevel.MAJOR)
    client.force_login(safety)
    page = client.get(action_url(hazard, "assign")).content.decode()
    assert "除尘系统未设泄爆装置" in page and "粉尘防爆" in page and "data-major-only" in page
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {
        "version": hazard.version,
        "responsible": world.employee_a.pk,
        "deadline": deadline,
        "measures": "加装泄爆片",
        "level": "general",
        "criteria": [criterion.code],  # a criterion makes it major whatever the level says
    }
    response = client.post(action_url(hazard, "assign"), data)
    assert response.status_code == 400 and errors_of(response).count("重大隐患须填写此项") == 6
    plan = {
        "plan_goal": "消除泄爆缺陷",
        "plan_measures": "加装泄爆片",
        "plan_funds_and_materials": "5万元",
        "plan_people": "设备科",
        "plan_deadline": deadline,
        "plan_interim_measures": "停用该除尘器",
    }
    response = client.post(action_url(hazard, "assign"), {**data, **plan})
    assert response.status_code == 302, errors_of(response)
    hazard.refresh_from_db()
    assert hazard.level == HazardLevel.MAJOR and hazard.supervised and hazard.plan.goal == "消除泄爆缺陷"
    html = client.get(detail_url(hazard)).content.decode()
    assert 'id="governance-plan"' in html and "T-1" in html and 'id="badge-supervised"' in html


def test_return_cancel_and_close_on_spot_through_their_pages(client, world, safety):
    hazard = assigned(world, safety)
    hazard = services.hazard_rectify(actor=world.employee_a, hazard=hazard, rectification="已整改", photos=[photo()])
    client.force_login(safety)
    response = client.post(action_url(hazard, "return"), {"version": hazard.version, "reason": ""})
    assert response.status_code == 400
    response = client.post(action_url(hazard, "return"), {"version": hazard.version, "reason": "照片看不清"})
    assert response.status_code == 302 and Hazard.objects.get(pk=hazard.pk).status == HazardStatus.ASSIGNED

    client.force_login(world.town_admin_a)
    hazard.refresh_from_db()
    response = client.post(action_url(hazard, "cancel"), {"version": hazard.version, "reason": "重复上报"})
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CANCELLED and hazard.cancel_reason == "重复上报"

    other = reported(world, place="三号车间")
    client.force_login(safety)
    refused = client.post(action_url(other, "close_on_spot"), {"version": other.version, "rectification": "当场"})
    assert refused.status_code == 400 and "请上传整改后照片" in errors_of(refused)
    response = client.post(
        action_url(other, "close_on_spot"),
        {"version": other.version, "rectification": "当场整改", "photos": [photo()]},
    )
    assert response.status_code == 302 and Hazard.objects.get(pk=other.pk).status == HazardStatus.CLOSED


def test_action_get_explains_when_not_allowed_and_htmx_gets_the_fragment(client, world, safety):
    hazard = reported(world)
    client.force_login(world.district_admin)
    response = client.get(action_url(hazard, "assign"))
    assert response.status_code == 200 and 'id="action-refused"' in errors_of(response)
    assert "<form" not in errors_of(response).split('id="action-form"')[1]
    client.force_login(safety)
    fragment = client.get(action_url(hazard, "assign"), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html and 'id="action-assign-form"' in html
    assert f'name="version" value="{hazard.version}"' in html


def test_outsiders_get_404_on_every_hazard_page(client, world, safety):
    hazard = reported(world)
    urls = [detail_url(hazard)] + [action_url(hazard, a) for a in workflow.TRANSITIONS]
    for outsider in (world.town_admin_b, world.enterprise_admin_b):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, url
            posted = client.post(url, {"version": hazard.version, "reason": "x"}).status_code
            assert posted == 404 or (posted == 405 and url == detail_url(hazard)), url
        assert hazard.place not in client.get(reverse("hazards:mine")).content.decode()
        assert hazard.place not in client.get(reverse("hazards:hazards-list")).content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.REPORTED


def test_public_reporter_stays_unknown_to_the_enterprise(client, world):
    cache.clear()
    token = views.public_token(world.enterprise_a.pk)
    client.post(
        reverse("hazards:public-report", args=[token]),
        {"place": "仓库东侧", "description": "消防通道堆放杂物", "reporter_name": "李四", "phone": "13912345678"},
    )
    hazard = Hazard.objects.get()
    client.force_login(world.enterprise_admin_a)
    html = client.get(detail_url(hazard)).content.decode()
    assert "消防通道堆放杂物" in html and "13912345678" not in html and "李四" not in html
    client.force_login(world.town_admin_a)
    html = client.get(detail_url(hazard)).content.decode()
    assert "李四 13912345678" in html


# --- lists ------------------------------------------------------------------------------------


def touch(hazard, **fields):
    """Set fields as the overdue sweep would (and the priority that follows from them)."""
    Hazard.objects.filter(pk=hazard.pk).update(**fields)
    hazard.refresh_from_db()
    Hazard.objects.filter(pk=hazard.pk).update(priority=priority.for_hazard(hazard, timezone.localdate()))


@pytest.fixture
def mixed(world, safety):
    """Town A: 3 open (1 overdue, 1 major) and 1 closed this month; town B: 1 open."""
    open_a = reported(world, place="一号")
    overdue = assigned(world, safety, place="二号")
    touch(overdue, overdue=True, deadline=timezone.localdate() - dt.timedelta(days=3))
    major = reported(world, place="三号")
    touch(major, level=HazardLevel.MAJOR, supervised=True)
    closed = reported(world, place="四号", actor=safety)
    services.hazard_close_on_spot(actor=safety, hazard=closed, rectification="当场", photos=[photo()])
    other = reported(world, actor=world.enterprise_admin_b, enterprise=world.enterprise_b, place="五号")
    return {"open_a": open_a, "overdue": overdue, "major": major, "closed": closed, "other": other}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("town_admin_a", {"open": 3, "overdue": 1, "major": 1, "supervised": 1, "closed_month": 1}),
        ("enterprise_admin_a", {"open": 3, "overdue": 1, "major": 1, "supervised": 1, "closed_month": 1}),
        ("town_admin_b", {"open": 1, "overdue": 0, "major": 0, "supervised": 0, "closed_month": 0}),
        ("district_admin", {"open": 4, "overdue": 1, "major": 1, "supervised": 1, "closed_month": 1}),
    ],
)
def test_list_tabs_count_per_role_and_match_the_list(client, world, mixed, who, expected):
    client.force_login(getattr(world, who))
    page = client.get(reverse("hazards:hazards-list")).content.decode()
    assert 'id="hazard-tabs"' in page and 'hx-get="/hazards/tabs/' in page
    tabs = client.get(reverse("hazards:list-tabs"), {"view": "open"}).content.decode()
    for key, n in expected.items():
        assert re.search(rf'id="count-{key}">{n}</span>', tabs), (key, n)
        listed = client.get(reverse("hazards:hazards-list"), {"view": key}).content.decode()
        assert re.search(rf"共 {n} 条", listed), (key, n)
    assert re.search(r'class="nav-link[^"]* active" id="tab-open"', tabs)


def test_list_orders_by_priority_and_offers_report(client, world, mixed):
    client.force_login(world.town_admin_a)
    html = client.get(reverse("hazards:hazards-list"), {"view": "open"}).content.decode()
    assert html.index("三号") < html.index("二号") < html.index("一号")  # major, overdue, then the rest
    assert reverse("hazards:report") in html


def test_my_tasks_for_the_worker_and_the_safety_officer(client, world, safety, mixed):
    client.force_login(world.employee_a)
    html = client.get(reverse("hazards:mine")).content.decode()
    assert "二号" in html and action_url(mixed["overdue"], "rectify") in html and "一号" not in html
    assert "border-danger" in html  # overdue card
    client.force_login(safety)
    html = client.get(reverse("hazards:mine")).content.decode()
    assert 'id="section-to-assign"' in html and action_url(mixed["open_a"], "assign") in html
    assert "五号" not in html


def test_home_pages_and_menu_lead_to_the_hazards(client, world, mixed):
    client.force_login(world.employee_a)
    home = client.get(reverse("home")).content.decode()
    assert reverse("hazards:report") in home and reverse("hazards:mine") in home and "隐患排查" in home
    summary = client.get(reverse("hazards:summary")).content.decode()
    assert 'id="summary-mine"' in summary and "?view=overdue" in summary
    client.force_login(world.town_admin_a)
    home = client.get(reverse("home")).content.decode()
    assert 'hx-get="/hazards/summary/"' in home
    summary = client.get(reverse("hazards:summary")).content.decode()
    assert re.search(r'id="summary-open".*?>3</div>', summary, re.S)


def test_list_and_detail_run_a_bounded_number_of_queries(client, world, safety, django_assert_max_num_queries):
    for n in range(30):
        reported(world, place=f"{n}号岗位", photos=[photo()])
    hazard = assigned(world, safety, place="二号车间", photos=[photo(), photo()])
    hazard = services.hazard_rectify(
        actor=world.employee_a, hazard=hazard, rectification="已整改", photos=[photo(), photo()]
    )
    hazard = services.hazard_return(actor=safety, hazard=hazard, reason="不清楚")
    client.force_login(world.district_admin)
    client.get(reverse("hazards:hazards-list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("hazards:hazards-list"), {"view": "open"}).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("hazards:list-tabs")).status_code == 200
    client.force_login(safety)
    client.get(detail_url(hazard))
    with django_assert_max_num_queries(10):
        assert client.get(detail_url(hazard)).status_code == 200


# --- the public report ------------------------------------------------------------------------


@pytest.fixture
def public(world):
    cache.clear()
    yield reverse("hazards:public-report", args=[views.public_token(world.enterprise_a.pk)])
    cache.clear()


def test_public_report_with_a_bad_signature_is_404(client, world, public):
    forged = f"{world.enterprise_b.pk}:{public.rstrip('/').rsplit(':', 1)[1]}"
    for token in ("nonsense", f"{world.enterprise_a.pk}", forged):
        url = reverse("hazards:public-report", args=[token])
        assert client.get(url).status_code == 404
        assert client.post(url, {"place": "x", "description": "y"}).status_code == 404
    assert not Hazard.objects.exists()


def test_public_report_creates_a_public_hazard_without_login(client, world, public):
    page = client.get(public)
    assert page.status_code == 200 and world.enterprise_a.name in page.content.decode()
    response = client.post(
        public,
        {"place": "仓库东侧", "description": "消防通道堆放杂物", "phone": "13912345678", "photos": [photo()]},
    )
    assert response.status_code == 200 and 'id="public-done"' in response.content.decode()
    hazard = Hazard.objects.get()
    assert hazard.source == HazardSource.PUBLIC and hazard.reported_by is None
    assert hazard.enterprise == world.enterprise_a and "13912345678" in hazard.reporter_name
    assert attachments_for(hazard).count() == 1


def test_public_report_checks_photos_and_phone(client, world, public):
    fake = SimpleUploadedFile("a.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = client.post(public, {"place": "x", "description": "y", "phone": "123", "photos": [fake]})
    html = response.content.decode()
    assert response.status_code == 400 and "请输入11位手机号码" in html and "不支持此文件类型" in html
    assert not Hazard.objects.exists() and not Attachment.objects.exists()


def test_public_report_is_rate_limited_per_address(client, world, public):
    for _n in range(views.PUBLIC_LIMIT_PER_HOUR):
        assert client.post(public, {"place": "x", "description": "y"}).status_code == 200
    assert client.post(public, {"place": "x", "description": "y"}).status_code == 429
    assert Hazard.objects.count() == views.PUBLIC_LIMIT_PER_HOUR
    other = client.post(public, {"place": "x", "description": "y"}, REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 200


def test_public_report_qr_for_government_only(client, world):
    url = reverse("hazards:public-report-qr", args=[world.enterprise_a.pk])
    client.force_login(world.grid_inspector_a)
    detail = client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])).content.decode()
    assert url in detail
    html = client.get(url).content.decode()
    assert "<svg" in html and reverse("hazards:public-report", args=[views.public_token(world.enterprise_a.pk)]) in html
    client.force_login(world.enterprise_admin_a)
    assert client.get(url).status_code == 404
    assert (
        url not in client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])).content.decode()
    )
