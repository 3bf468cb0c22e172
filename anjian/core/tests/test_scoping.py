import pytest

from anjian.core.scoping import CHANGE, CREATE, VIEW, restrict
from anjian.core.tests.factories import DepartmentFactory, government_user
from anjian.enterprises.models import Enterprise, VenueType
from anjian.enterprises.tests.factories import EnterpriseFactory, IndustryFactory

pytestmark = pytest.mark.django_db


def visible(user, action=VIEW):
    return set(restrict(Enterprise.objects.all(), user, action).values_list("name", flat=True))


def test_each_role_sees_its_own_area(world):
    both = {world.enterprise_a.name, world.enterprise_b.name}
    assert visible(world.platform_admin) == both
    assert visible(world.district_admin) == both
    assert visible(world.town_admin_a) == {world.enterprise_a.name}
    assert visible(world.town_admin_b) == {world.enterprise_b.name}
    assert visible(world.grid_inspector_a) == {world.enterprise_a.name}
    assert visible(world.enterprise_admin_a) == {world.enterprise_a.name}
    assert visible(world.employee_a) == {world.enterprise_a.name}
    assert visible(world.enterprise_admin_b) == {world.enterprise_b.name}


def test_prefix_is_a_subtree_not_a_string_accident(world):
    # A town whose code shares a prefix with nothing else must not leak siblings.
    grid_a2 = world.regions["grid_a2"]
    inspector = government_user("grid_inspector", grid_a2)
    assert visible(inspector) == set()


def test_actions_are_limited_by_role(world):
    assert visible(world.employee_a, CHANGE) == set()
    assert visible(world.enterprise_admin_a, CHANGE) == {world.enterprise_a.name}
    assert visible(world.enterprise_admin_a, CREATE) == set()
    assert visible(world.town_admin_a, CHANGE) == {world.enterprise_a.name}


def test_department_officer_sees_only_his_sector(world):
    IndustryFactory(code="C", name="制造业")
    chem = IndustryFactory(code="C26", name="化学原料和化学制品制造业")
    world.enterprise_b.industry = chem
    world.enterprise_b.save()
    school = EnterpriseFactory(
        region=world.regions["grid_a"], kind="venue", venue_type=VenueType.SCHOOL, name="城厢中学"
    )
    chemicals = DepartmentFactory(code="chem", industry_prefixes=["C26"])
    education = DepartmentFactory(code="edu", venue_types=[VenueType.SCHOOL])
    comprehensive = DepartmentFactory(code="yjj")
    district = world.regions["district"]
    assert visible(government_user("department_officer", district, chemicals)) == {world.enterprise_b.name}
    assert visible(government_user("department_officer", district, education)) == {school.name}
    assert len(visible(government_user("department_officer", district, comprehensive))) == 3
    assert visible(government_user("department_officer", world.regions["town_a"], chemicals)) == set()


def test_pending_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    from anjian.core.tests.factories import UserFactory

    assert visible(UserFactory(role="pending")) == set()
    assert visible(AnonymousUser()) == set()


def test_agency_sees_contracted_enterprises_only(world):
    import datetime as dt

    from anjian.agencies.models import Agency, ServiceContract
    from anjian.core.tests.factories import UserFactory

    agency = Agency.objects.create(name="苏安评价", credit_code="91320585000000001X", region=world.regions["district"])
    staff = UserFactory(role="agency_engineer", agency=agency)
    today = dt.date.today()
    ServiceContract.objects.create(
        agency=agency, enterprise=world.enterprise_a, start_date=today, end_date=today + dt.timedelta(days=30)
    )
    ServiceContract.objects.create(
        agency=agency,
        enterprise=world.enterprise_b,
        start_date=today - dt.timedelta(days=60),
        end_date=today - dt.timedelta(days=1),
    )
    assert visible(staff) == {world.enterprise_a.name}
