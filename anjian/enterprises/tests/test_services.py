import pytest
from django.core.exceptions import ValidationError

from anjian.core.audit import history
from anjian.core.roles import Role
from anjian.core.tests.factories import government_user
from anjian.enterprises import services
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.factories import make_credit_code

pytestmark = pytest.mark.django_db


def _wrong_check_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def _data(world, **overrides):
    data = {
        "credit_code": make_credit_code(900001),
        "name": "太仓市新建精工有限公司",
        "legal_representative": "李明",
        "address": "城厢镇朝阳路8号",
        "region": world.regions["grid_a"],
    }
    data.update(overrides)
    return data


def test_create_records_audit_with_values(world):
    enterprise = services.enterprise_create(actor=world.town_admin_a, data=_data(world))
    entry = history(enterprise).get()
    assert entry.action == "create"
    assert entry.actor == world.town_admin_a
    assert entry.changes["name"] == [None, "太仓市新建精工有限公司"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"credit_code": _wrong_check_char(make_credit_code(900001))}, "credit_code"),
        ({"credit_code": "91320585ABCDEFGHIZ"}, "credit_code"),
        ({"region": None}, "region"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(world, overrides, field):
    count = Enterprise.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(actor=world.town_admin_a, data=_data(world, **overrides))
    assert field in exc.value.message_dict
    assert Enterprise.objects.count() == count


def test_duplicate_credit_code_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(
            actor=world.district_admin, data=_data(world, credit_code=world.enterprise_b.credit_code)
        )
    assert "credit_code" in exc.value.message_dict


def test_town_admin_cannot_place_enterprise_in_another_town(world):
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(actor=world.town_admin_a, data=_data(world, region=world.regions["grid_b"]))
    assert "region" in exc.value.message_dict


def test_enterprise_users_cannot_create(world):
    with pytest.raises(ValidationError):
        services.enterprise_create(actor=world.enterprise_admin_a, data=_data(world))


def test_enterprise_admin_edits_profile_fields_only_and_it_is_recorded(world):
    services.enterprise_update(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, data={"staff_count": 88, "main_products": "齿轮"}
    )
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.staff_count == 88
    entry = history(world.enterprise_a).first()
    assert entry.actor == world.enterprise_admin_a
    assert entry.changes["staff_count"] == [35, 88]
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, data={"name": "改名"})
    assert "name" in exc.value.message_dict


def test_employee_and_other_enterprise_cannot_update(world):
    for actor in (world.enterprise_admin_b, world.town_admin_b):
        with pytest.raises(Enterprise.DoesNotExist):
            services.enterprise_update(actor=actor, enterprise=world.enterprise_a, data={"staff_count": 1})
    with pytest.raises(Enterprise.DoesNotExist):
        services.enterprise_update(actor=world.employee_a, enterprise=world.enterprise_a, data={"staff_count": 1})


def test_move_between_grids_checks_inspector(world):
    inspector_a2 = government_user(Role.GRID_INSPECTOR, world.regions["grid_a2"], username="grid_a2")
    services.enterprise_move(
        actor=world.town_admin_a,
        enterprise=world.enterprise_a,
        region=world.regions["grid_a2"],
        grid_inspector=inspector_a2,
    )
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.region_id == world.regions["grid_a2"].code
    assert history(world.enterprise_a).first().changes["region"] == ["中区一网格", "中区二网格"]
    with pytest.raises(ValidationError) as exc:
        services.enterprise_move(
            actor=world.town_admin_a,
            enterprise=world.enterprise_a,
            region=world.regions["grid_a"],
            grid_inspector=inspector_a2,
        )
    assert "grid_inspector" in exc.value.message_dict
