"""The risk point pages: new point, detail, the forms reached from it, the notice card and the
counts by level above the list. Each form: a happy path and a bad input that changes nothing;
government users read but cannot change; another enterprise gets 404 everywhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.risks import services
from anjian.risks.models import (
    ControlMeasure,
    InspectionPoint,
    InspectionTask,
    MeasureKind,
    RiskAssessment,
    RiskEvent,
    RiskPoint,
)
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db

POINT_ROUTES = [
    "risks:risk-points-detail",
    "risks:risk-points-assessments",
    "risks:risk-points-edit",
    "risks:risk-points-archive",
    "risks:risk-points-events",
    "risks:risk-points-measures",
    "risks:risk-points-inspection-points",
    "risks:risk-points-tasks",
    "risks:risk-points-stop-task",
    "risks:point-card",
]


def url(name, point):
    return reverse(name, args=[point.pk])


def detail(point):
    return url("risks:risk-points-detail", point)


def snapshot(point):
    """Everything the forms could change about a point."""
    point.refresh_from_db()
    return (
        {f.attname: getattr(point, f.attname) for f in point._meta.concrete_fields},
        RiskAssessment.objects.filter(risk_point=point).count(),
        RiskEvent.objects.filter(risk_point=point).count(),
        ControlMeasure.objects.filter(event__risk_point=point).count(),
        InspectionPoint.objects.filter(risk_point=point).count(),
        list(InspectionTask.objects.filter(point__risk_point=point).values_list("pk", "archived")),
    )


@pytest.fixture
def chain(world):
    return risk_chain(world.enterprise_admin_a, world.enterprise_a)


# --- new point ------------------------------------------------------------------------------


def test_enterprise_officer_adds_a_point(client, world):
    client.force_login(world.enterprise_admin_a)
    page = client.get(reverse("risks:risk-points-new"))
    assert page.status_code == 200
    assert 'name="enterprise"' not in page.content.decode()  # his own enterprise, no choice
    response = client.post(
        reverse("risks:risk-points-new"),
        {
            "name": "液氨储罐区",
            "place": "东北角",
            "kind": "area",
            "accident_types": ["poisoning", "vessel"],
            "equipment_count": "2",
            "responsible_name": "王工",
            "responsible_phone": "13800000000",
        },
    )
    point = RiskPoint.objects.get(name="液氨储罐区")
    assert response.status_code == 302 and response.url == detail(point)
    assert point.enterprise == world.enterprise_a
    assert point.accident_types == ["poisoning", "vessel"]
    assert point.equipment_count == 2 and point.responsible_name == "王工"


def test_new_point_bad_input_changes_nothing(client, world):
    client.force_login(world.enterprise_admin_a)
    response = client.post(reverse("risks:risk-points-new"), {"name": "", "kind": "nonsense", "accident_types": ["x"]})
    assert response.status_code == 400
    assert not RiskPoint.objects.exists()
    form = response.context["form"]
    assert set(form.errors) >= {"name", "kind", "accident_types"}


def test_platform_admin_picks_an_enterprise_and_government_cannot_add(client, world):
    client.force_login(world.platform_admin)
    assert 'name="enterprise"' in client.get(reverse("risks:risk-points-new")).content.decode()
    response = client.post(
        reverse("risks:risk-points-new"), {"enterprise": world.enterprise_b.pk, "name": "反应釜", "kind": "equipment"}
    )
    assert response.status_code == 302
    assert RiskPoint.objects.get(name="反应釜").enterprise == world.enterprise_b
    client.force_login(world.district_admin)
    assert client.get(reverse("risks:risk-points-new")).status_code == 404
    assert client.post(reverse("risks:risk-points-new"), {"name": "x", "kind": "area"}).status_code == 404
    list_page = client.get(reverse("risks:risk-points-list")).content.decode()
    assert reverse("risks:risk-points-new") not in list_page


# --- detail ---------------------------------------------------------------------------------


def test_detail_shows_level_history_measures_tasks_and_buttons(client, world, chain):
    client.force_login(world.enterprise_admin_a)
    page = client.get(detail(chain.risk_point)).content.decode()
    assert "risk-orange" in page and "较大风险" in page
    assert 'id="assessments"' in page and ">270<" in page
    assert "储气罐超压爆炸" in page and "安全阀每年校验" in page and "车间(部门)级" in page
    assert "1号储气罐" in page and "每小时" in page and f'id="stop-{chain.task.pk}"' in page
    for name in ("risks:risk-points-assessments", "risks:risk-points-tasks", "risks:point-card"):
        assert url(name, chain.risk_point) in page
    assert 'id="control-gap"' not in page


def test_detail_warns_of_a_control_gap(client, world, chain):
    # 6 × 6 × 15 = 540: 重大, which the company level must control; the only measure is 车间级.
    services.risk_assess(
        actor=world.enterprise_admin_a,
        risk_point=chain.risk_point,
        method="lec",
        likelihood="6",
        exposure="6",
        consequence="15",
    )
    client.force_login(world.enterprise_admin_a)
    page = client.get(detail(chain.risk_point)).content.decode()
    assert 'id="control-gap"' in page and "公司级" in page
    assert "risk-red" in page


def test_government_reads_the_detail_without_edit_buttons(client, world, chain):
    client.force_login(world.town_admin_a)
    page = client.get(detail(chain.risk_point)).content.decode()
    assert "储气罐超压爆炸" in page
    assert url("risks:point-card", chain.risk_point) in page
    assert url("risks:risk-points-assessments", chain.risk_point) not in page
    assert f'id="stop-{chain.task.pk}"' not in page


# --- forms ----------------------------------------------------------------------------------


def test_assess_lec_and_ls(client, world, chain):
    point = chain.risk_point
    client.force_login(world.enterprise_admin_a)
    page = client.get(url("risks:risk-points-assessments", point)).content.decode()
    assert "6 — 相当可能" in page and 'id="lec-fields"' in page and 'id="ls-fields"' in page
    response = client.post(
        url("risks:risk-points-assessments", point),
        {"method": "lec", "lec_likelihood": "6", "lec_exposure": "6", "lec_consequence": "15"},
        follow=True,
    )
    point.refresh_from_db()
    assert point.level == "major"
    assert "540" in response.content.decode() and "重大风险" in response.content.decode()
    response = client.post(
        url("risks:risk-points-assessments", point), {"method": "ls", "ls_likelihood": "4", "ls_severity": "4"}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    latest = point.assessments.order_by("-id").first()
    assert (latest.method, latest.score, latest.exposure, point.level) == ("ls", 16, None, "high")
    assert point.assessments.count() == 3  # the history stays


def test_assess_bad_input_changes_nothing(client, world, chain):
    point = chain.risk_point
    before = snapshot(point)
    client.force_login(world.enterprise_admin_a)
    missing_e = client.post(
        url("risks:risk-points-assessments", point), {"method": "lec", "lec_likelihood": "6", "lec_consequence": "15"}
    )
    assert missing_e.status_code == 400
    assert missing_e.context["form"].errors["lec_exposure"] == ["请选择取值"]
    not_a_value = client.post(
        url("risks:risk-points-assessments", point), {"method": "ls", "ls_likelihood": "7", "ls_severity": "3"}
    )
    assert not_a_value.status_code == 400 and "ls_likelihood" in not_a_value.context["form"].errors
    assert client.post(url("risks:risk-points-assessments", point), {}).status_code == 400
    assert snapshot(point) == before


def test_edit_point(client, world, chain):
    point = chain.risk_point
    client.force_login(world.enterprise_admin_a)
    page = client.get(url("risks:risk-points-edit", point)).content.decode()
    assert 'value="空压机房"' in page
    response = client.post(
        url("risks:risk-points-edit", point),
        {"name": "空压机房（新）", "place": "二车间", "kind": "equipment", "accident_types": ["vessel", "fire"]},
    )
    assert response.status_code == 302 and response.url == detail(point)
    point.refresh_from_db()
    assert point.name == "空压机房（新）" and point.accident_types == ["vessel", "fire"]
    before = snapshot(point)
    bad = client.post(url("risks:risk-points-edit", point), {"name": "", "kind": "equipment"})
    assert bad.status_code == 400 and "name" in bad.context["form"].errors
    assert snapshot(point) == before


def test_archive_and_restore(client, world, chain):
    point = chain.risk_point
    client.force_login(world.enterprise_admin_a)
    assert "归档风险点" in client.get(url("risks:risk-points-archive", point)).content.decode()
    assert client.post(url("risks:risk-points-archive", point)).status_code == 302
    point.refresh_from_db()
    chain.inspection_point.refresh_from_db()
    assert point.archived and chain.inspection_point.archived
    page = client.get(url("risks:risk-points-archive", point))
    assert "恢复风险点" in page.content.decode() and page.context["form"]["archived"].value() is False
    client.post(url("risks:risk-points-archive", point), {"archived": "False"})
    point.refresh_from_db()
    assert not point.archived


def test_add_event(client, world, chain):
    point = chain.risk_point
    client.force_login(world.enterprise_admin_a)
    assert client.get(url("risks:risk-points-events", point)).status_code == 200
    response = client.post(
        url("risks:risk-points-events", point), {"name": "触电", "accident_type": "electric", "consequence": "人员伤亡"}
    )
    assert response.status_code == 302
    assert point.events.filter(name="触电", accident_type="electric").exists()
    point.refresh_from_db()
    assert "electric" in point.accident_types
    before = snapshot(point)
    bad = client.post(url("risks:risk-points-events", point), {"name": "火灾", "accident_type": ""})
    assert bad.status_code == 400 and "accident_type" in bad.context["form"].errors
    assert snapshot(point) == before


def test_add_measure(client, world, chain):
    point = chain.risk_point
    other = risk_chain(world.enterprise_admin_b, world.enterprise_b)
    emergency = MeasureKind.objects.get(code="emergency")
    client.force_login(world.enterprise_admin_a)
    fields = client.get(url("risks:risk-points-measures", point)).context["form"].fields
    assert list(fields["event"].queryset) == [chain.event]  # only this point's events
    assert world.employee_a in fields["responsible"].queryset
    assert world.enterprise_admin_b not in fields["responsible"].queryset
    response = client.post(
        url("risks:risk-points-measures", point),
        {
            "event": chain.event.pk,
            "kind": emergency.code,
            "description": "立即切断气源，疏散人员",
            "owning_level": "company",
            "owning_unit": "安环部",
            "responsible": world.employee_a.pk,
        },
    )
    assert response.status_code == 302
    measure = ControlMeasure.objects.get(description="立即切断气源，疏散人员")
    assert (measure.event, measure.kind, measure.responsible) == (chain.event, emergency, world.employee_a)
    before = snapshot(point)
    for bad in (
        {"event": other.event.pk, "kind": emergency.code, "description": "x", "owning_level": "team"},
        {
            "event": chain.event.pk,
            "kind": emergency.code,
            "description": "x",
            "owning_level": "team",
            "responsible": world.enterprise_admin_b.pk,
        },
        {"event": chain.event.pk, "kind": emergency.code, "description": "", "owning_level": "nowhere"},
    ):
        assert client.post(url("risks:risk-points-measures", point), bad).status_code == 400
    assert snapshot(point) == before
    assert snapshot(other.risk_point)[3] == 1


def test_add_inspection_point(client, world, chain):
    point = chain.risk_point
    client.force_login(world.enterprise_admin_a)
    response = client.post(url("risks:risk-points-inspection-points", point), {"name": "2号储气罐"})
    assert response.status_code == 302
    assert point.inspection_points.get(name="2号储气罐").place == point.place
    before = snapshot(point)
    bad = client.post(url("risks:risk-points-inspection-points", point), {"name": ""})
    assert bad.status_code == 400 and "name" in bad.context["form"].errors
    assert snapshot(point) == before


def test_add_task_and_stop_it(client, world, chain):
    point = chain.risk_point
    other = risk_chain(world.enterprise_admin_b, world.enterprise_b)
    client.force_login(world.enterprise_admin_a)
    fields = client.get(url("risks:risk-points-tasks", point)).context["form"].fields
    assert list(fields["measure"].queryset) == [chain.measure]
    assert list(fields["point"].queryset) == [chain.inspection_point]
    assert world.enterprise_admin_b not in fields["owner"].queryset
    data = {
        "measure": chain.measure.pk,
        "point": chain.inspection_point.pk,
        "content": "安全阀铅封完好",
        "cycle": "day",
        "evidence": "photo",
        "owner": world.employee_a.pk,
        "starts_on": "2030-01-01",
    }
    assert client.post(url("risks:risk-points-tasks", point), data).status_code == 302
    task = InspectionTask.objects.get(content="安全阀铅封完好")
    assert (task.cycle, task.evidence, task.owner, str(task.starts_on)) == (
        "day",
        "photo",
        world.employee_a,
        "2030-01-01",
    )
    before = snapshot(point)
    for bad in (
        {**data, "owner": world.enterprise_admin_b.pk},
        {**data, "point": other.inspection_point.pk},
        {**data, "cycle": ""},
        {**data, "starts_on": "not a date"},
    ):
        assert client.post(url("risks:risk-points-tasks", point), bad).status_code == 400
    assert snapshot(point) == before

    assert client.get(url("risks:risk-points-stop-task", point)).status_code == 200
    # Another enterprise's task, posted to this point's stop route: refused, nothing stops.
    assert client.post(url("risks:risk-points-stop-task", point), {"task": other.task.pk}).status_code == 400
    other.task.refresh_from_db()
    assert not other.task.archived
    assert client.post(url("risks:risk-points-stop-task", point), {"task": task.pk}).status_code == 302
    task.refresh_from_db()
    assert task.archived


def test_government_sees_why_not_and_a_post_changes_nothing(client, world, chain):
    point = chain.risk_point
    before = snapshot(point)
    client.force_login(world.district_admin)
    posts = {
        "risks:risk-points-assessments": {
            "method": "lec",
            "lec_likelihood": "6",
            "lec_exposure": "6",
            "lec_consequence": "15",
        },
        "risks:risk-points-edit": {"name": "篡改", "kind": "area"},
        "risks:risk-points-archive": {},
        "risks:risk-points-events": {"name": "触电", "accident_type": "electric"},
        "risks:risk-points-measures": {
            "event": chain.event.pk,
            "kind": MeasureKind.objects.first().code,
            "description": "x",
            "owning_level": "company",
        },
        "risks:risk-points-inspection-points": {"name": "x"},
        "risks:risk-points-tasks": {
            "measure": chain.measure.pk,
            "point": chain.inspection_point.pk,
            "cycle": "day",
            "evidence": "none",
            "owner": world.employee_a.pk,
            "starts_on": "2030-01-01",
        },
        "risks:risk-points-stop-task": {"task": chain.task.pk},
    }
    for name, data in posts.items():
        page = client.get(url(name, point))
        assert page.status_code == 200, name
        # a declared action: why not, instead of the form; a post is refused
        assert 'id="action-refused"' in page.content.decode(), name
        assert 'id="action-submit"' not in page.content.decode(), name
        assert client.post(url(name, point), data).status_code == 400, name
    assert snapshot(point) == before


@pytest.mark.parametrize("outsider", ["enterprise_admin_b", "town_admin_b"])
def test_outsiders_get_404_everywhere(client, world, chain, outsider):
    point = chain.risk_point
    before = snapshot(point)
    client.force_login(getattr(world, outsider))
    for name in POINT_ROUTES:
        assert client.get(url(name, point)).status_code == 404, name
        assert client.post(url(name, point), {"name": "篡改", "task": chain.task.pk}).status_code in {404, 405}, name
    assert snapshot(point) == before


# --- the notice card ------------------------------------------------------------------------


def test_notice_card(client, world, chain):
    enterprise = world.enterprise_a
    enterprise.contact_phone, enterprise.safety_manager_phone = "0512-53000000", "13900000000"
    enterprise.save(update_fields=["contact_phone", "safety_manager_phone"])
    point = chain.risk_point
    services.risk_point_update(
        actor=world.enterprise_admin_a,
        instance=point,
        data={"responsible_name": "李四", "responsible_phone": "13700000000"},
    )
    services.control_measure_create(
        actor=world.enterprise_admin_a,
        event=chain.event,
        data={"kind": "emergency", "description": "立即关闭进气阀并撤离", "owning_level": "post"},
    )
    client.force_login(world.grid_inspector_a)
    response = client.get(url("risks:point-card", point))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "风险告知卡" in page and "@media print" in page
    assert 'id="mainnav"' not in page  # no menu on a printed card
    assert world.enterprise_a.name in page and "空压机房" in page and "二车间东侧" in page
    assert "risk-orange" in page and "容器爆炸" in page
    measures = page.split('id="card-measures"')[1].split("</td>")[0]
    emergency = page.split('id="card-emergency"')[1].split("</td>")[0]
    assert "安全阀每年校验" in measures and "立即关闭进气阀并撤离" not in measures
    assert "立即关闭进气阀并撤离" in emergency
    for phone in ("0512-53000000", "13900000000", "119", "120", "110", "13700000000", "李四"):
        assert phone in page
    assert client.post(url("risks:point-card", point)).status_code == 405


# --- counts by level ------------------------------------------------------------------------


def _point(actor, enterprise, name, level=None):
    point = services.risk_point_create(actor=actor, enterprise=enterprise, data={"name": name, "kind": "area"})
    values = {"major": ("6", "6", "15"), "high": ("3", "6", "15"), "general": ("1", "6", "15"), "low": ("1", "1", "1")}
    if level:
        likelihood, exposure, consequence = values[level]
        services.risk_assess(
            actor=actor,
            risk_point=point,
            method="lec",
            likelihood=likelihood,
            exposure=exposure,
            consequence=consequence,
        )
    return point


def _tiles(client, user):
    client.force_login(user)
    page = client.get(reverse("risks:point-levels")).content.decode()
    return {
        level: int(page.split(f'id="count-{level}">')[1].split("<")[0]) for level in ("major", "high", "general", "low")
    }


def test_level_tiles_count_within_scope(client, world):
    a, b = world.enterprise_admin_a, world.enterprise_admin_b
    for name, level in (("a1", "major"), ("a2", "major"), ("a3", "high"), ("a4", "low"), ("a5", None)):
        _point(a, world.enterprise_a, name, level)
    services.risk_point_archive(actor=a, instance=_point(a, world.enterprise_a, "old", "major"))
    for name, level in (("b1", "general"), ("b2", "major")):
        _point(b, world.enterprise_b, name, level)

    assert _tiles(client, world.town_admin_a) == {"major": 2, "high": 1, "general": 0, "low": 1}
    assert _tiles(client, world.enterprise_admin_b) == {"major": 1, "high": 0, "general": 1, "low": 0}
    assert _tiles(client, world.district_admin) == {"major": 3, "high": 1, "general": 1, "low": 1}
    page = client.get(reverse("risks:point-levels")).content.decode()
    assert f'href="{reverse("risks:risk-points-list")}?level=major"' in page and "risk-red" in page
    list_page = client.get(reverse("risks:risk-points-list")).content.decode()
    assert reverse("risks:point-levels") in list_page

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("risks:point-levels"))
    on_points = [q["sql"] for q in queries if "risks_riskpoint" in q["sql"]]
    assert len(on_points) == 1  # one aggregate query
