from __future__ import annotations

import factory

from anjian.core.roles import Role
from anjian.core.tests.factories import RegionFactory, UserFactory
from anjian.core.validators import credit_code_check_char
from anjian.enterprises.models import Enterprise, Industry, SupervisionClass, Tag


def make_credit_code(n: int) -> str:
    """A valid unified social credit code (GB 32100) for sequence number n."""
    body = f"91320585{n:09d}"
    return body + credit_code_check_char(body)


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = "C34"
    name = "通用设备制造业"


class SupervisionClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionClass
        django_get_or_create = ("code",)

    code = "B"
    label = "一般"
    patrol_cycle_months = 3


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = "涉爆粉尘"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(make_credit_code)
    name = factory.Sequence(lambda n: f"太仓市第{n}机械有限公司")
    legal_representative = "王建国"
    address = factory.Sequence(lambda n: f"太仓市城厢镇上海东路{n}号")
    region = factory.SubFactory(RegionFactory)
    latitude = 31.45
    longitude = 121.1
    staff_count = 35


def enterprise_user(enterprise: Enterprise, role: str = Role.ENTERPRISE_ADMIN, **kwargs):
    return UserFactory(role=role, enterprise=enterprise, **kwargs)
