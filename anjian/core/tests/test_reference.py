"""Reference tables (参数表): every declared table is editable by its owner through the generic
pages, refused (404) to everybody else, audited, and bad input changes nothing; district
overrides belong to their district alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.core import reference
from anjian.core.models import AuditEntry, RegionLevel
from anjian.core.roles import Role
from anjian.core.tests.factories import RegionFactory, government_user

pytestmark = pytest.mark.django_db

SLUGS = [
    "risk-bands",
    "level-controls",
    "measure-kinds",
    "hazard-categories",
    "major-hazard-criteria",
    "escalation-steps",
    "supervision-classes",
]

# A good new row and a bad one (field errors) for each table that takes new rows.
NEW_ROWS = {
    "measure-kinds": (
        {"code": "inspection", "name": "检测检验措施", "national_kind": "maintenance", "position": 9},
        {"code": "", "name": "x", "national_kind": "nope", "position": "-1"},
    ),
    "hazard-categories": ({"code": "S99", "name": "其他现场", "rank": 99}, {"code": "", "name": ""}),
    "major-hazard-criteria": (
        {"code": "T-99", "standard": "地方标准", "field": "通用", "text": "未按规定设置安全警示标志"},
        {"code": "", "standard": "", "field": "", "text": ""},
    ),
    "supervision-classes": (
        {"code": "E", "label": "重点关注", "patrol_cycle_months": 1, "colour": "danger", "rank": 5},
        {"code": "A", "label": "重复", "patrol_cycle_months": "x", "colour": "", "rank": 0},
    ),
    "escalation-steps": ({"level": 1, "days_overdue": 3}, {"level": 9, "days_overdue": -2}),
}


def test_every_issue_table_is_declared():
    assert set(SLUGS) <= {table.slug for table in reference.all_tables()}


def _first_row(slug):
    table = {t.slug: t for t in reference.all_tables()}[slug]
    return table, table.queryset().order_by("pk").first()


@pytest.mark.parametrize("slug", SLUGS)
def test_platform_admin_opens_lists_and_edits_each_table(client, world, slug):
    client.force_login(world.platform_admin)
    index = client.get(reverse("core:reference-index"))
    assert index.status_code == 200 and reverse("core:reference-list", args=[slug]) in index.content.decode()
    assert client.get(reverse("core:reference-list", args=[slug])).status_code == 200
    table, row = _first_row(slug)
    assert row is not None, f"{slug}: the starter data has no row"
    edit = reverse("core:reference-edit", args=[slug, row.pk])
    assert client.get(edit).status_code == 200
    data = {name: value for name, value in reference.initial_for(table, row).items() if value is not None}
    before = AuditEntry.objects.count()
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # Nothing changed: no audit entry (an unchanged save of a versioned table still publishes).
    assert AuditEntry.objects.count() == before + (1 if table.versioned else 0)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("who", ["district_admin", "town_admin_a", "enterprise_admin_a", "grid_inspector_a"])
def test_others_get_404(client, world, slug, who):
    table, row = _first_row(slug)
    client.force_login(getattr(world, who))
    if table.district_override and who == "district_admin":
        # He sees the defaults, but may not change them.
        assert client.get(reverse("core:reference-list", args=[slug])).status_code == 200
    else:
        assert client.get(reverse("core:reference-list", args=[slug])).status_code == 404
        assert client.get(reverse("core:reference-create", args=[slug])).status_code == 404
    before = reference.initial_for(table, row)
    assert client.get(reverse("core:reference-edit", args=[slug, row.pk])).status_code == 404
    assert client.post(reverse("core:reference-edit", args=[slug, row.pk]), {}).status_code == 404
    assert client.post(reverse("core:reference-toggle", args=[slug, row.pk]), {"active": "0"}).status_code == 404
    row.refresh_from_db()
    assert reference.initial_for(table, row) == before


def test_index_is_404_for_users_owning_no_table(client, world):
    client.force_login(world.enterprise_admin_a)
    assert client.get(reverse("core:reference-index")).status_code == 404
    client.force_login(world.town_admin_a)
    assert client.get(reverse("core:reference-index")).status_code == 404
    assert client.get(reverse("core:reference-list", args=["no-such-table"])).status_code == 404


@pytest.mark.parametrize("slug", sorted(NEW_ROWS))
def test_new_row_is_audited_and_bad_input_changes_nothing(client, world, slug):
    table, _row = _first_row(slug)
    good, bad = NEW_ROWS[slug]
    client.force_login(world.platform_admin)
    count = table.model.objects.count()
    audits = AuditEntry.objects.count()
    response = client.post(reverse("core:reference-create", args=[slug]), bad)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()
    assert table.model.objects.count() == count and AuditEntry.objects.count() == audits
    if slug == "escalation-steps":  # the platform default for a level exists: a second one is refused
        response = client.post(reverse("core:reference-create", args=[slug]), good)
        assert response.status_code == 400 and table.model.objects.count() == count
        return
    response = client.post(reverse("core:reference-create", args=[slug]), good)
    assert response.status_code == 302
    row = table.model.objects.order_by("-pk").first()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "create" and entry.object_id == str(row.pk) and entry.actor == world.platform_admin


def test_edit_is_audited_with_old_and_new_values(client, world):
    from anjian.enterprises.models import SupervisionClass

    row = SupervisionClass.objects.get(code="A")
    client.force_login(world.platform_admin)
    url = reverse("core:reference-edit", args=["supervision-classes", row.pk])
    data = {"code": "A", "label": row.label, "patrol_cycle_months": 12, "colour": row.colour, "rank": row.rank}
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.patrol_cycle_months == 12
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "update" and entry.changes["patrol_cycle_months"] == [6, 12]
    # Bad input: a field error, nothing written.
    response = client.post(url, {**data, "patrol_cycle_months": "abc"})
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.patrol_cycle_months == 12 and AuditEntry.objects.order_by("-seq").first() == entry


def test_deactivate_and_reactivate_keep_the_row(client, world):
    from anjian.risks.models import MeasureKind

    kind = MeasureKind.objects.get(code="ppe")
    client.force_login(world.platform_admin)
    url = reverse("core:reference-toggle", args=["measure-kinds", kind.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"active": "0"}).status_code == 302
    kind.refresh_from_db()
    assert kind.active is False
    assert AuditEntry.objects.order_by("-seq").first().action == "deactivate"
    from anjian.risks.forms import MeasureForm

    assert kind not in MeasureForm.base_fields["kind"].queryset
    assert client.post(url, {"active": "1"}).status_code == 302
    kind.refresh_from_db()
    assert kind.active is True and AuditEntry.objects.order_by("-seq").first().action == "reactivate"
    assert client.post(url, {"active": "maybe"}).status_code == 404


def test_a_district_overrides_escalation_for_its_own_area_only(client, world):
    from anjian.hazards.models import EscalationStep

    other = RegionFactory(
        code="320581", name="常熟市", level=RegionLevel.DISTRICT, parent=world.regions["district"].parent
    )
    other_admin = government_user(Role.DISTRICT_ADMIN, other, username="other_district")
    client.force_login(world.district_admin)
    default = EscalationStep.objects.get(region__isnull=True, level=2)
    assert client.get(reverse("core:reference-edit", args=["escalation-steps", default.pk])).status_code == 404
    response = client.post(reverse("core:reference-create", args=["escalation-steps"]), {"level": 2, "days_overdue": 3})
    assert response.status_code == 302
    override = EscalationStep.objects.get(region=world.regions["district"], level=2)
    assert override.days_overdue == 3
    assert AuditEntry.objects.order_by("-seq").first().action == "create"
    # A second override of the same level in the same district is refused with a message.
    response = client.post(reverse("core:reference-create", args=["escalation-steps"]), {"level": 2, "days_overdue": 4})
    assert response.status_code == 400
    edit = reverse("core:reference-edit", args=["escalation-steps", override.pk])
    assert client.post(edit, {"level": 2, "days_overdue": 5}).status_code == 302
    override.refresh_from_db()
    assert override.days_overdue == 5
    # Another district's admin: 404 on every page of that row, and the row stays.
    client.force_login(other_admin)
    page = client.get(reverse("core:reference-list", args=["escalation-steps"])).content.decode()
    assert f"row-{override.pk}" not in page and f"row-{default.pk}" in page
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"level": 2, "days_overdue": 60}).status_code == 404
    toggle = reverse("core:reference-toggle", args=["escalation-steps", override.pk])
    assert client.post(toggle, {"active": "0"}).status_code == 404
    override.refresh_from_db()
    assert override.days_overdue == 5 and override.active
    # The platform admin may change it.
    client.force_login(world.platform_admin)
    assert client.post(toggle, {"active": "0"}).status_code == 302


def test_the_sweep_uses_the_district_override(world):
    import datetime as dt

    from anjian.hazards import sweep
    from anjian.hazards.models import EscalationLevel, EscalationStep
    from anjian.hazards.tests.factories import HazardFactory

    today = dt.date(2026, 3, 20)
    hazard = HazardFactory(enterprise=world.enterprise_a, deadline=today - dt.timedelta(days=3))
    other = RegionFactory(
        code="320581", name="常熟市", level=RegionLevel.DISTRICT, parent=world.regions["district"].parent
    )
    # Another district's override does not apply here: the default (town after 7 days) does.
    EscalationStep.objects.create(region=other, level=EscalationLevel.TOWN, days_overdue=1)
    sweep.sweep(today)
    hazard.refresh_from_db()
    assert hazard.escalation_level == EscalationLevel.GRID
    # This district's own step (town after 2 days) does; a deactivated one falls back to the default.
    own = EscalationStep.objects.create(
        region=world.regions["district"], level=EscalationLevel.TOWN, days_overdue=2, active=False
    )
    sweep.sweep(today)
    hazard.refresh_from_db()
    assert hazard.escalation_level == EscalationLevel.GRID
    own.active = True
    own.save()
    sweep.sweep(today)
    hazard.refresh_from_db()
    assert hazard.escalation_level == EscalationLevel.TOWN


def test_menu_entry_for_the_platform_admin(world):
    from anjian.core import menu

    labels = [str(e.label) for g in menu.visible_menu(world.platform_admin) for e in g.entries]
    assert "参数表" in labels
    labels = [str(e.label) for g in menu.visible_menu(world.town_admin_a) for e in g.entries]
    assert "参数表" not in labels
