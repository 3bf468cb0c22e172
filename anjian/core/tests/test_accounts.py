"""Account management (用户管理): who may grant which role where, list scope, masking, the pages."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from anjian.agencies.models import Agency
from anjian.core import services
from anjian.core.audit import history
from anjian.core.models import AuditEntry, User
from anjian.core.registry_entries import USER
from anjian.core.roles import Role
from anjian.core.scoping import CHANGE, VIEW, restrict
from anjian.core.tests.factories import DEFAULT_PASSWORD, DepartmentFactory, UserFactory, government_user

pytestmark = pytest.mark.django_db

LIST = reverse("core:users-list")
CREATE = reverse("core:users-create")
GOOD_PASSWORD = "Qs7#mountain-river"


def detail(user):
    return reverse("core:users-detail", args=[user.pk])


def data(**kwargs):
    base = {"username": "newbie", "display_name": "新用户", "phone": "13700000001", "email": ""}
    return base | kwargs


def create(actor, **kwargs):
    return services.user_create(actor=actor, data={"password": GOOD_PASSWORD, **data(**kwargs)})


def refused(fn, **kwargs) -> dict:
    with pytest.raises(ValidationError) as exc:
        fn(**kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


@pytest.fixture
def agency(world):
    return Agency.objects.create(name="苏安评价", credit_code="91320585000000001X", region=world.regions["district"])


# --- granting rules ---------------------------------------------------------------------------


def test_platform_admin_grants_any_role(world):
    user = create(world.platform_admin, role=Role.DISTRICT_ADMIN, region=world.regions["district"])
    assert user.role == Role.DISTRICT_ADMIN and user.check_password(GOOD_PASSWORD)
    other = create(world.platform_admin, username="root2", phone="13700000002", role=Role.PLATFORM_ADMIN)
    assert other.is_platform_admin and other.region is None


def test_district_admin_grants_government_enterprise_and_agency_roles_in_his_district(world, agency):
    r = world.regions
    actor = world.district_admin
    assert create(actor, username="t", phone="", role=Role.TOWN_ADMIN, region=r["town_b"]).region == r["town_b"]
    assert create(actor, username="g", phone="", role=Role.GRID_INSPECTOR, region=r["grid_b"]).role == "grid_inspector"
    assert create(actor, username="v", phone="", role=Role.GRID_INSPECTOR, region=r["village_a"]).pk
    assert create(actor, username="d", phone="", role=Role.DISTRICT_ADMIN, region=r["district"]).pk
    ent = create(actor, username="e", phone="", role=Role.SAFETY_OFFICER, enterprise=world.enterprise_b)
    assert ent.enterprise == world.enterprise_b and ent.region is None
    assert create(actor, username="a", phone="", role=Role.AGENCY_ADMIN, agency=agency).agency == agency
    officer = create(
        actor,
        username="o",
        phone="",
        role=Role.DEPARTMENT_OFFICER,
        region=r["district"],
        department=DepartmentFactory(),
    )
    assert officer.department is not None


def test_district_admin_never_grants_platform_admin_nor_outside_his_district(world):
    r = world.regions
    assert "role" in refused(create, actor=world.district_admin, role=Role.PLATFORM_ADMIN)
    errors = refused(create, actor=world.district_admin, role=Role.DISTRICT_ADMIN, region=r["city"])
    assert errors["region"] == ["区县管理员应归属到区县"]


def test_government_roles_need_the_right_region_level_and_officers_a_department(world):
    r = world.regions
    actor = world.district_admin
    assert "region" in refused(create, actor=actor, role=Role.GRID_INSPECTOR, region=r["town_a"])
    assert "region" in refused(create, actor=actor, role=Role.TOWN_ADMIN, region=r["grid_a"])
    assert "region" in refused(create, actor=actor, role=Role.GRID_INSPECTOR)
    assert "department" in refused(create, actor=actor, role=Role.DEPARTMENT_OFFICER, region=r["district"])
    assert "enterprise" in refused(create, actor=actor, role=Role.EMPLOYEE)


def test_town_admin_grants_grid_officer_and_enterprise_roles_in_his_town_only(world):
    r = world.regions
    actor = world.town_admin_a
    assert create(actor, username="g", phone="", role=Role.GRID_INSPECTOR, region=r["grid_a2"]).pk
    dept = DepartmentFactory()
    assert create(actor, username="o", phone="", role=Role.DEPARTMENT_OFFICER, region=r["town_a"], department=dept).pk
    assert create(actor, username="e", phone="", role=Role.EMPLOYEE, enterprise=world.enterprise_a).pk
    # another town
    assert refused(create, actor=actor, role=Role.GRID_INSPECTOR, region=r["grid_b"])["region"] == [
        "只能在本辖区内设置账号"
    ]
    assert "enterprise" in refused(create, actor=actor, role=Role.EMPLOYEE, enterprise=world.enterprise_b)
    # an officer of the district, a peer town admin, a district admin
    assert "region" in refused(create, actor=actor, role=Role.DEPARTMENT_OFFICER, region=r["district"], department=dept)
    assert "role" in refused(create, actor=actor, role=Role.TOWN_ADMIN, region=r["town_a"])
    assert "role" in refused(create, actor=actor, role=Role.DISTRICT_ADMIN, region=r["district"])
    assert User.objects.filter(username="newbie").count() == 0


def test_enterprise_admin_grants_enterprise_roles_of_his_own_enterprise(world):
    actor = world.enterprise_admin_a
    officer = create(actor, role=Role.SAFETY_OFFICER)
    assert officer.enterprise == world.enterprise_a  # forced to his
    assert "role" in refused(create, actor=actor, role=Role.DISTRICT_ADMIN, region=world.regions["district"])
    assert "role" in refused(create, actor=actor, role=Role.AGENCY_STAFF)
    errors = refused(create, actor=actor, username="x", phone="", role=Role.EMPLOYEE, enterprise=world.enterprise_b)
    assert "enterprise" in errors


def test_agency_admin_grants_agency_roles_of_his_agency(world, agency):
    actor = UserFactory(role=Role.AGENCY_ADMIN, agency=agency)
    assert create(actor, role=Role.AGENCY_ENGINEER).agency == agency
    assert "role" in refused(create, actor=actor, role=Role.EMPLOYEE, enterprise=world.enterprise_a)


def test_users_without_a_managing_role_create_nothing(world):
    for actor in (world.employee_a, world.grid_inspector_a, UserFactory(role=Role.PENDING)):
        assert refused(create, actor=actor, role=Role.EMPLOYEE, enterprise=world.enterprise_a)


def test_nobody_changes_his_own_role_or_placement(world):
    for actor, field, value in (
        (world.town_admin_a, "role", Role.DISTRICT_ADMIN),
        (world.town_admin_a, "region", world.regions["district"]),
        (world.enterprise_admin_a, "enterprise", world.enterprise_b),
        (world.district_admin, "role", Role.PLATFORM_ADMIN),
    ):
        errors = refused(services.user_update, actor=actor, instance=actor, data={field: value})
        assert errors == {field: ["不能修改自己的角色或归属"]}
    me = services.user_update(actor=world.town_admin_a, instance=world.town_admin_a, data={"display_name": "张镇长"})
    assert me.display_name == "张镇长" and me.role == Role.TOWN_ADMIN


def test_escalation_through_editing_is_refused(world):
    # enterprise admin raising his employee to district admin
    errors = refused(
        services.user_update,
        actor=world.enterprise_admin_a,
        instance=world.employee_a,
        data={"role": Role.DISTRICT_ADMIN, "region": world.regions["district"]},
    )
    assert "role" in errors
    # town admin moving a user of his town to the other town
    errors = refused(
        services.user_update,
        actor=world.town_admin_a,
        instance=world.grid_inspector_a,
        data={"region": world.regions["grid_b"]},
    )
    assert "region" in errors
    # a peer is visible but not his to edit; another town's account is not even visible
    peer = government_user(Role.TOWN_ADMIN, world.regions["town_a"])
    assert "__all__" in refused(
        services.user_update, actor=world.town_admin_a, instance=peer, data={"display_name": "x"}
    )
    with pytest.raises(User.DoesNotExist):
        services.user_update(actor=world.town_admin_a, instance=world.enterprise_admin_b, data={"display_name": "x"})
    with pytest.raises(User.DoesNotExist):
        services.user_update(actor=world.district_admin, instance=world.platform_admin, data={"display_name": "x"})
    with pytest.raises(ValidationError):
        services.user_update(actor=world.district_admin, instance=world.employee_a, data={"is_superuser": True})
    world.employee_a.refresh_from_db()
    assert world.employee_a.role == Role.EMPLOYEE and not world.employee_a.is_superuser


def test_manager_moves_an_account_within_his_scope(world):
    user = services.user_update(
        actor=world.district_admin,
        instance=world.employee_a,
        data={"role": Role.SAFETY_OFFICER, "enterprise": world.enterprise_b},
    )
    assert user.role == Role.SAFETY_OFFICER and user.enterprise == world.enterprise_b
    entry = history(user).first()
    assert entry.action == "update" and entry.changes["role"] == ["员工", "安全管理员"]


def test_username_phone_and_password_rules(world):
    actor = world.district_admin
    ent = {"role": Role.EMPLOYEE, "enterprise": world.enterprise_a}
    taken = world.employee_a
    assert refused(create, actor=actor, username=taken.username.upper(), **ent)["username"] == ["该用户名已被使用"]
    assert refused(create, actor=actor, phone="12345", **ent)["phone"] == ["请输入11位手机号码"]
    assert refused(create, actor=actor, phone=taken.phone, **ent)["phone"] == ["该手机号已被其他账号使用"]
    weak = services.user_create
    errors = refused(weak, actor=actor, data={**data(**ent), "password": "12345678"})
    assert "password" in errors and all("密码" in m for m in errors["password"])
    assert "password" in refused(weak, actor=actor, data=data(**ent))
    # the phone of a deactivated account may be given again
    services.user_set_active(actor=actor, user=taken, active=False)
    assert create(actor, phone=taken.phone, **ent).phone == taken.phone
    # ...and then the old account cannot come back with it
    assert "phone" in refused(services.user_set_active, actor=actor, user=taken, active=True)


def test_create_is_audited_without_password_and_with_masked_phone(world):
    user = create(world.district_admin, role=Role.EMPLOYEE, enterprise=world.enterprise_a)
    entry = history(user).get()
    assert entry.action == "create" and entry.actor == world.district_admin
    assert entry.changes["phone"] == [None, "137****0001"]
    text = json.dumps(entry.changes, ensure_ascii=False)
    assert "password" not in text and GOOD_PASSWORD not in text and user.password not in text


# --- scope of the list ------------------------------------------------------------------------


def visible(user, action=VIEW):
    return set(restrict(User.objects.all(), user, action).values_list("username", flat=True))


def test_each_role_sees_its_own_accounts(world, agency):
    officer = government_user(Role.DEPARTMENT_OFFICER, world.regions["town_b"], DepartmentFactory(), username="off_b")
    agency_admin = UserFactory(role=Role.AGENCY_ADMIN, agency=agency, username="ag_admin")
    UserFactory(role=Role.AGENCY_STAFF, agency=agency, username="ag_staff")
    UserFactory(role=Role.PENDING, username="pending")
    everybody = set(User.objects.values_list("username", flat=True))
    district_area = {"district", "town_a", "town_b", "grid_a", "ent_a", "ent_b", "emp_a", "off_b"}
    assert visible(world.platform_admin) == everybody
    assert visible(world.district_admin) == district_area
    assert visible(world.town_admin_a) == {"town_a", "grid_a", "ent_a", "emp_a"}
    assert visible(world.town_admin_b) == {"town_b", "off_b", "ent_b"}
    assert visible(officer) == {"town_b", "off_b", "ent_b"}  # a comprehensive department
    assert visible(world.grid_inspector_a) == {"grid_a", "ent_a", "emp_a"}
    assert visible(world.enterprise_admin_a) == {"ent_a", "emp_a"}
    assert visible(UserFactory(role=Role.ENTERPRISE_LEADER, enterprise=world.enterprise_b, username="lead_b")) == {
        "ent_b",
        "lead_b",
    }
    assert visible(agency_admin) == {"ag_admin", "ag_staff"}
    for nobody in ("emp_a", "ag_staff", "pending"):
        assert visible(User.objects.get(username=nobody)) == set()
    assert visible(world.grid_inspector_a, CHANGE) == set()


def test_sector_officer_sees_only_his_sectors_enterprise_accounts(world):
    chem = DepartmentFactory(code="chem", industry_prefixes=["C26"])
    officer = government_user(Role.DEPARTMENT_OFFICER, world.regions["district"], chem, username="chem")
    assert visible(officer) == {"district", "town_a", "town_b", "grid_a", "chem"}


def test_list_page_filters_and_search(client, world):
    client.force_login(world.district_admin)

    def usernames(**params):
        body = client.get(LIST, params).content.decode()
        return {u for u in ("town_a", "town_b", "grid_a", "ent_a", "ent_b", "emp_a") if f">{u}<" in body}

    assert usernames() == {"town_a", "town_b", "grid_a", "ent_a", "ent_b", "emp_a"}
    assert usernames(region="320585100") == {"town_a", "grid_a", "ent_a", "emp_a"}
    assert usernames(region="320585101") == {"town_b", "ent_b"}
    assert usernames(role=Role.EMPLOYEE) == {"emp_a"}
    assert usernames(q=world.employee_a.phone) == {"emp_a"}
    assert usernames(q=world.employee_a.phone[:7]) == set()  # a prefix would reveal masked digits
    assert usernames(q="ent_") == {"ent_a", "ent_b"}
    services.user_set_active(actor=world.district_admin, user=world.employee_a, active=False)
    assert usernames(active="0") == {"emp_a"}
    assert "emp_a" not in usernames(active="1")


def test_list_query_count_does_not_grow_with_rows(client, world, agency, django_assert_max_num_queries):
    for _n in range(15):
        UserFactory(role=Role.EMPLOYEE, enterprise=world.enterprise_a)
        government_user(Role.GRID_INSPECTOR, world.regions["grid_a2"], DepartmentFactory())
    client.force_login(world.district_admin)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_menu_shows_accounts_to_who_may_see_them(client, world):
    client.force_login(world.town_admin_a)
    assert "用户管理" in client.get("/").content.decode()
    client.force_login(world.employee_a)
    assert "用户管理" not in client.get("/").content.decode()
    assert client.get(detail(world.employee_a)).status_code == 404  # not even himself, here


# --- masking ----------------------------------------------------------------------------------


def test_phone_is_masked_in_the_list_and_the_export(client, world):
    phone = world.employee_a.phone
    masked = f"{phone[:3]}****{phone[-4:]}"
    client.force_login(world.district_admin)
    body = client.get(LIST).content.decode()
    assert masked in body and phone not in body
    export = client.get(LIST, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert masked in cells and not any(phone in c for c in cells)


def test_detail_shows_the_whole_phone_only_to_a_manager_and_audits_it(client, world):
    target = world.employee_a
    client.force_login(world.grid_inspector_a)  # may view, not change
    body = client.get(detail(target)).content.decode()
    assert target.phone not in body and f"{target.phone[:3]}****" in body
    assert "变更记录" not in body
    assert not history(target).filter(action="view_phone").exists()
    client.force_login(world.enterprise_admin_a)
    body = client.get(detail(target)).content.decode()
    assert target.phone in body and "重置密码" in body and "停用" in body
    assert history(target).get(action="view_phone").actor == world.enterprise_admin_a


# --- pages ------------------------------------------------------------------------------------


def test_create_through_the_page(client, world):
    client.force_login(world.enterprise_admin_a)
    form = client.get(CREATE).content.decode()
    assert 'value="safety_officer"' in form and 'value="district_admin"' not in form
    response = client.post(
        CREATE,
        {"username": "aq_li", "password": GOOD_PASSWORD, "display_name": "李安全", "phone": "13700000009"}
        | {"role": Role.SAFETY_OFFICER},
    )
    user = User.objects.get(username="aq_li")
    assert response.status_code == 302 and response["Location"] == detail(user)
    assert user.enterprise == world.enterprise_a and user.check_password(GOOD_PASSWORD)


def test_create_with_bad_input_gives_400_and_creates_nothing(client, world):
    count = User.objects.count()
    client.force_login(world.town_admin_a)
    # a role he may not give and a region of another town: the form's own choices refuse them
    bad = {"username": "x1", "password": GOOD_PASSWORD, "role": Role.DISTRICT_ADMIN, "region": "320585101001001"}
    response = client.post(CREATE, bad)
    assert response.status_code == 400
    assert response.content.decode().count("选择一个有效的选项") == 2
    response = client.post(CREATE, {"username": "x1", "password": GOOD_PASSWORD, "phone": "1234"})
    assert response.status_code == 400 and "请输入11位手机号码" in response.content.decode()
    # the form passes, the service refuses: taken username and phone, weak password
    taken = world.employee_a
    bad = {"username": taken.username.upper(), "password": "123", "phone": taken.phone, "role": Role.GRID_INSPECTOR}
    response = client.post(CREATE, bad | {"region": world.regions["grid_a"].pk})
    body = response.content.decode()
    assert response.status_code == 400
    for message in ("该用户名已被使用", "该手机号已被其他账号使用", "密码"):
        assert message in body
    bad = {"username": "x2", "password": "123", "role": Role.GRID_INSPECTOR}
    response = client.post(CREATE, bad)
    body = response.content.decode()
    assert response.status_code == 400 and "政府账号须选择所属区划" in body and "密码" in body
    assert User.objects.count() == count


def test_edit_page_offers_only_what_the_actor_may_change(client, world):
    client.force_login(world.town_admin_a)
    assert client.get(reverse("core:users-edit", args=[world.district_admin.pk])).status_code == 404
    assert client.get(reverse("core:users-edit", args=[world.town_admin_b.pk])).status_code == 404
    own = client.get(reverse("core:users-edit", args=[world.town_admin_a.pk])).content.decode()
    assert 'name="display_name"' in own and 'name="role"' not in own and 'name="region"' not in own
    url = reverse("core:users-edit", args=[world.grid_inspector_a.pk])
    response = client.post(
        url, {"username": "grid_a", "display_name": "网格王", "role": Role.GRID_INSPECTOR, "region": "320585100001002"}
    )
    assert response.status_code == 302
    world.grid_inspector_a.refresh_from_db()
    assert world.grid_inspector_a.display_name == "网格王" and world.grid_inspector_a.region_id == "320585100001002"


def test_deactivation_keeps_the_account_and_blocks_login(client, world):
    target = world.employee_a
    client.force_login(target)
    assert client.get("/").status_code == 200
    admin = client_for(world.enterprise_admin_a)
    url = reverse("core:user-active", args=[target.pk])
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"active": "0"}).status_code == 302
    target.refresh_from_db()
    assert User.objects.filter(pk=target.pk).exists() and not target.is_active
    assert client.get("/").status_code == 302  # the open session has ended
    assert not client.login(username=target.username, password=DEFAULT_PASSWORD)
    assert admin.post(url, {"active": "0"}).status_code == 302  # repeating changes nothing
    assert history(target).filter(action="deactivate").count() == 1
    assert admin.post(url, {"active": "1"}).status_code == 302
    assert client.login(username=target.username, password=DEFAULT_PASSWORD)
    assert admin.post(url, {"active": "maybe"}).status_code == 400


def test_nobody_deactivates_or_resets_himself(client, world):
    client.force_login(world.district_admin)
    assert client.post(reverse("core:user-active", args=[world.district_admin.pk]), {"active": "0"}).status_code == 404
    assert client.get(reverse("core:user-password", args=[world.district_admin.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.user_set_active(actor=world.district_admin, user=world.district_admin, active=False)
    assert User.objects.get(pk=world.district_admin.pk).is_active


def test_password_reset_works_and_is_audited_without_the_password(client, world):
    target = world.employee_a
    admin = client_for(world.town_admin_a)
    url = reverse("core:user-password", args=[target.pk])
    assert admin.get(url).status_code == 200
    mismatch = admin.post(url, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "两次输入的密码不一致" in mismatch.content.decode()
    weak = admin.post(url, {"password": "12345678", "password2": "12345678"})
    assert weak.status_code == 400 and "密码" in weak.content.decode()
    assert admin.post(url, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 302
    target.refresh_from_db()
    assert target.check_password(GOOD_PASSWORD)
    assert client.login(username=target.username, password=GOOD_PASSWORD)
    entry = history(target).get(action="set_password")
    assert entry.actor == world.town_admin_a and entry.changes == {}
    every_change = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)), ensure_ascii=False)
    assert GOOD_PASSWORD not in every_change and target.password not in every_change


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_registry_claims_the_account_routes():
    assert {"core:user-password", "core:user-active"} <= set(USER.object_routes())


def test_login_page_names_the_platform_not_the_host(client, db):
    """Django's LoginView puts the request's host in ``site_name``; our templates use
    ``platform_name`` so the login page says which platform this is."""
    page = client.get("/accounts/login/").content.decode()
    assert "安监 · 安全生产监管平台" in page
