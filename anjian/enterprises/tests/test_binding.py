import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.core.models import User
from anjian.core.roles import Role
from anjian.core.tests.factories import UserFactory
from anjian.enterprises.models import BindingToken

pytestmark = pytest.mark.django_db


def test_signup_then_bind_by_qr(client, world):
    client.force_login(world.grid_inspector_a)
    page = client.get(reverse("enterprises:enterprise-binding-qr", args=[world.enterprise_a.pk]))
    assert page.status_code == 200 and b"<svg" in page.content
    token = BindingToken.objects.get(enterprise=world.enterprise_a).token
    client.logout()

    response = client.post(
        reverse("signup"),
        {"display_name": "赵强", "phone": "13812345678", "password": "Str0ng!pass", "password2": "Str0ng!pass"},
    )
    assert response.status_code == 302
    user = User.objects.get(phone="13812345678")
    assert user.role == Role.PENDING
    bind_url = reverse("enterprises:bind", args=[token])
    assert "城厢精密机械" in client.get(bind_url).content.decode()
    assert client.post(bind_url).status_code == 302
    user.refresh_from_db()
    assert user.enterprise == world.enterprise_a and user.role == Role.ENTERPRISE_ADMIN
    # one-time: a second account cannot reuse the code
    other = UserFactory(role=Role.PENDING)
    client.force_login(other)
    assert client.post(bind_url).status_code == 400
    other.refresh_from_db()
    assert other.enterprise is None


def test_expired_token_refused(client, world):
    token = BindingToken.objects.create(
        enterprise=world.enterprise_a,
        token="expired-token",
        created_by=world.grid_inspector_a,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    user = UserFactory(role=Role.PENDING)
    client.force_login(user)
    assert client.post(reverse("enterprises:bind", args=[token.token])).status_code == 400
    user.refresh_from_db()
    assert user.enterprise is None


def test_bind_by_pre_registered_phone(client, world):
    world.enterprise_b.admin_phone = "13700001111"
    world.enterprise_b.save()
    user = UserFactory(role=Role.PENDING, phone="13700001111")
    client.force_login(user)
    assert "沙溪化工" in client.get(reverse("home")).content.decode()
    client.post(reverse("enterprises:bind-by-phone"))
    user.refresh_from_db()
    assert user.enterprise == world.enterprise_b


def test_government_account_cannot_bind(client, world):
    client.force_login(world.grid_inspector_a)
    client.get(reverse("enterprises:enterprise-binding-qr", args=[world.enterprise_a.pk]))
    token = BindingToken.objects.get().token
    client.force_login(world.town_admin_b)
    assert client.post(reverse("enterprises:bind", args=[token])).status_code == 400
    world.town_admin_b.refresh_from_db()
    assert world.town_admin_b.enterprise is None


def test_only_managers_in_scope_make_binding_codes(client, world):
    for user in (world.enterprise_admin_a, world.town_admin_b, world.employee_a):
        client.force_login(user)
        assert client.get(reverse("enterprises:enterprise-binding-qr", args=[world.enterprise_a.pk])).status_code == 404
    assert not BindingToken.objects.exists()
