"""The inspection point pages: detail, QR label, the phone check, the board and my tasks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import photo
from anjian.risks import services
from anjian.risks.models import PointCheck
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def check_url(chain):
    return reverse("risks:inspection-point-check", args=[chain.inspection_point.pk])


def test_detail_shows_tasks_checks_and_qr_action(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, owner=world.employee_a)
    [check] = services.point_check(
        actor=world.employee_a, point=chain.inspection_point, results=[{"task": chain.task.pk, "passed": True}]
    )
    client.force_login(world.enterprise_admin_a)
    page = client.get(reverse("risks:inspection-points-detail", args=[chain.inspection_point.pk])).content.decode()
    assert reverse("risks:risk-points-detail", args=[chain.risk_point.pk]) in page
    assert reverse("risks:point-checks-detail", args=[check.pk]) in page
    assert reverse("risks:inspection-point-qr", args=[chain.inspection_point.pk]) in page
    assert "压力表读数正常" in page and 'data-colour="green"' in page
    qr = client.get(reverse("risks:inspection-point-qr", args=[chain.inspection_point.pk]))
    assert qr.status_code == 200 and "<svg" in qr.content.decode()
    assert check_url(chain) in qr.content.decode()


def test_check_happy_path(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, evidence="photo")
    client.force_login(world.employee_a)
    page = client.get(check_url(chain))
    assert page.status_code == 200 and 'id="check-form"' in page.content.decode()
    response = client.post(
        check_url(chain),
        {
            "task": [chain.task.pk],
            f"result_{chain.task.pk}": "pass",
            f"photos_{chain.task.pk}": [photo()],
            "latitude": "31.45",
            "longitude": "121.1",
        },
    )
    assert response.status_code == 302
    check = PointCheck.objects.get()
    assert check.passed and check.checked_by == world.employee_a and check.latitude == 31.45
    done = client.get(response["Location"]).content.decode()
    assert 'id="check-done"' in done


def test_missing_photo_is_an_error_and_saves_nothing(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, evidence="before_after")
    client.force_login(world.employee_a)
    response = client.post(
        check_url(chain),
        {"task": [chain.task.pk], f"result_{chain.task.pk}": "pass", f"before_{chain.task.pk}": [photo()]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="check-errors"' in body and "处理后照片" in body
    assert not PointCheck.objects.exists()
    # A failure without a photo: the service's words, nothing saved.
    plain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    response = client.post(
        check_url(plain), {"task": [plain.task.pk], f"result_{plain.task.pk}": "fail", f"note_{plain.task.pk}": "漏气"}
    )
    assert response.status_code == 400 and "拍照留证" in response.content.decode()
    assert not PointCheck.objects.exists() and not Hazard.objects.exists()


def test_a_failure_makes_a_hazard_and_links_it(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    client.force_login(world.employee_a)
    response = client.post(
        check_url(chain),
        {
            "task": [chain.task.pk],
            f"result_{chain.task.pk}": "fail",
            f"note_{chain.task.pk}": "安全阀铅封脱落",
            f"photos_{chain.task.pk}": [photo()],
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert PointCheck.objects.get().hazard == hazard
    done = client.get(response["Location"]).content.decode()
    assert reverse("hazards:hazards-detail", args=[hazard.pk]) in done


def test_a_foreign_task_id_is_refused(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    client.force_login(world.employee_a)
    response = client.post(check_url(chain), {"task": ["999999"]})
    assert response.status_code == 400 and not PointCheck.objects.exists()


def test_government_sees_the_page_without_a_form(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    client.force_login(world.town_admin_a)
    page = client.get(check_url(chain))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="check-refused"' in body and 'id="check-form"' not in body
    response = client.post(check_url(chain), {"task": [chain.task.pk], f"result_{chain.task.pk}": "pass"})
    assert response.status_code == 403 and not PointCheck.objects.exists()


def test_another_enterprise_gets_404_everywhere(client, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    pk = chain.inspection_point.pk
    client.force_login(world.enterprise_admin_b)
    for name in ("inspection-points-detail", "inspection-point-qr", "inspection-point-check"):
        assert client.get(reverse(f"risks:{name}", args=[pk])).status_code == 404, name
    response = client.post(check_url(chain), {"task": [chain.task.pk], f"result_{chain.task.pk}": "pass"})
    assert response.status_code == 404 and not PointCheck.objects.exists()
    assert client.get(reverse("risks:board"), {"enterprise": world.enterprise_a.pk}).status_code == 200
    # an enterprise user always sees his own board, whatever the query says
    assert "压力表" not in client.get(reverse("risks:board"), {"enterprise": world.enterprise_a.pk}).content.decode()
    client.force_login(world.town_admin_b)
    assert client.get(reverse("risks:board"), {"enterprise": world.enterprise_a.pk}).status_code == 404
    assert world.enterprise_a.name not in client.get(reverse("risks:board")).content.decode()


def test_board_colours_under_a_frozen_clock(client, world):
    with time_machine.travel(at(2026, 3, 2, 9, 10), tick=False):
        green = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour", owner=world.employee_a)
        yellow = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="shift")
        red = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour")
        pending = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="day")
    with time_machine.travel(at(2026, 3, 2, 9, 40), tick=False):
        services.point_check(
            actor=world.employee_a, point=green.inspection_point, results=[{"task": green.task.pk, "passed": True}]
        )
        services.point_check(
            actor=world.employee_a,
            point=yellow.inspection_point,
            results=[{"task": yellow.task.pk, "passed": False, "note": "指针卡滞", "photos": [photo()]}],
        )
    with time_machine.travel(at(2026, 3, 2, 10, 20), tick=False):
        client.force_login(world.employee_a)
        response = client.get(reverse("risks:board"))
        tiles = response.context["tiles"]
        by_point = {t.point.pk: t.state.colour for t in tiles}
        assert by_point[green.inspection_point.pk] == "green"
        assert by_point[yellow.inspection_point.pk] == "yellow"
        assert by_point[red.inspection_point.pk] == "red"  # its 09–10 window ended unchecked
        assert by_point[pending.inspection_point.pk] == "pending"
        counts = {state: n for state, _style, _label, n in response.context["counts"]}
        assert counts == {"green": 1, "yellow": 1, "red": 1, "pending": 1}
        body = response.content.decode()
        assert 'hx-trigger="every 60s"' in body and "超时自" in body
        # the htmx refresh gets only the grid
        partial = client.get(reverse("risks:board"), headers={"HX-Request": "true", "HX-Target": "board-grid"})
        assert partial.content.decode().lstrip().startswith('<div id="board-grid"')
        # my tasks: the employee owns the green task only
        mine = client.get(reverse("risks:my-tasks"))
        assert [r.task.pk for r in mine.context["my_rows"]] == [green.task.pk]
        assert check_url(green) in mine.content.decode()
    # 11:05: the green point missed its 10–11 window
    with time_machine.travel(at(2026, 3, 2, 11, 5), tick=False):
        tiles = client.get(reverse("risks:board")).context["tiles"]
        assert {t.point.pk: t.state.colour for t in tiles}[green.inspection_point.pk] == "red"


def test_government_picks_an_enterprise_in_scope(client, world):
    risk_chain(world.enterprise_admin_a, world.enterprise_a)
    client.force_login(world.town_admin_a)
    picker = client.get(reverse("risks:board")).content.decode()
    assert world.enterprise_a.name in picker
    board = client.get(reverse("risks:board"), {"enterprise": world.enterprise_a.pk})
    assert board.status_code == 200 and len(board.context["tiles"]) == 1
