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
    url = reverse("enterprises:enterprises-binding-code", args=[world.enterprise_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"<svg" not in page.content  # showing the page writes nothing
    assert not BindingToken.objects.exists()
    assert client.post(url).status_code == 302
    page = client.get(url)
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


@pytest.fixture
def sms_outbox(settings):
    from anjian.core.notify import MemorySmsBackend

    settings.SMS_BACKEND = "anjian.core.notify.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def test_bind_by_pre_registered_phone_needs_the_sms_code(client, world, sms_outbox):
    import re

    world.enterprise_b.admin_phone = "13700001111"
    world.enterprise_b.save()
    user = UserFactory(role=Role.PENDING, phone="13700001111")
    client.force_login(user)
    assert "沙溪化工" in client.get(reverse("home")).content.decode()
    # without a code nothing happens
    client.post(reverse("enterprises:bind-by-phone"), {"code": "000000"})
    user.refresh_from_db()
    assert user.enterprise is None
    client.post(reverse("enterprises:bind-by-phone-code"))
    assert [phone for phone, _text in sms_outbox] == ["13700001111"]
    code = re.search(r"\d{6}", sms_outbox[0][1]).group()
    wrong = "000000" if code != "000000" else "111111"
    client.post(reverse("enterprises:bind-by-phone"), {"code": wrong})
    user.refresh_from_db()
    assert user.enterprise is None
    client.post(reverse("enterprises:bind-by-phone"), {"code": code})
    user.refresh_from_db()
    assert user.enterprise == world.enterprise_b and user.role == Role.ENTERPRISE_ADMIN
    # one-time
    other = UserFactory(role=Role.PENDING, phone="13700002222")
    client.force_login(other)
    client.post(reverse("enterprises:bind-by-phone"), {"code": code})
    other.refresh_from_db()
    assert other.enterprise is None


def test_sms_codes_are_rate_limited_and_guessing_stops(world, sms_outbox):
    from django.core.exceptions import ValidationError

    from anjian.core.phone_codes import MAX_ATTEMPTS, phone_code_check, phone_code_send

    user = UserFactory(role=Role.PENDING, phone="13700003333")
    phone_code_send(user=user, purpose="t")
    with pytest.raises(ValidationError):
        phone_code_send(user=user, purpose="t")  # again within a minute
    code = sms_outbox[-1][1].split("验证码 ")[1][:6]
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            phone_code_check(user=user, purpose="t", code="x")
    with pytest.raises(ValidationError) as exc:
        phone_code_check(user=user, purpose="t", code=code)  # even the right code: too many tries
    assert "过多" in str(exc.value)


def test_government_account_cannot_bind(client, world):
    client.force_login(world.grid_inspector_a)
    client.post(reverse("enterprises:enterprises-binding-code", args=[world.enterprise_a.pk]))
    token = BindingToken.objects.get().token
    client.force_login(world.town_admin_b)
    assert client.post(reverse("enterprises:bind", args=[token])).status_code == 400
    world.town_admin_b.refresh_from_db()
    assert world.town_admin_b.enterprise is None


def test_only_managers_in_scope_make_binding_codes(client, world):
    for user in (world.enterprise_admin_a, world.town_admin_b, world.employee_a):
        client.force_login(user)
        url = reverse("enterprises:enterprises-binding-code", args=[world.enterprise_a.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not BindingToken.objects.exists()
