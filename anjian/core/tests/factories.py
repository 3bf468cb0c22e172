"""Factories for the core: regions (a small Taicang-like tree), departments, users of each role."""

from __future__ import annotations

import factory

from anjian.core.models import Department, Region, RegionLevel, User
from anjian.core.roles import Role

DEFAULT_PASSWORD = "Anjian#2026"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"3205851{n:02d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    level = RegionLevel.TOWN
    parent = None


def region_tree() -> dict[str, Region]:
    """district 320585 → towns 320585100 / 320585101 → a village and a grid under each."""
    province = RegionFactory(code="32", name="江苏省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="3205", name="苏州市", level=RegionLevel.CITY, parent=province)
    district = RegionFactory(code="320585", name="太仓市", level=RegionLevel.DISTRICT, parent=city)
    town_a = RegionFactory(code="320585100", name="城厢镇", level=RegionLevel.TOWN, parent=district)
    town_b = RegionFactory(code="320585101", name="沙溪镇", level=RegionLevel.TOWN, parent=district)
    village_a = RegionFactory(code="320585100001", name="中区社区", level=RegionLevel.VILLAGE, parent=town_a)
    village_b = RegionFactory(code="320585101001", name="沙南社区", level=RegionLevel.VILLAGE, parent=town_b)
    grid_a = RegionFactory(code="320585100001001", name="中区一网格", level=RegionLevel.GRID, parent=village_a)
    grid_a2 = RegionFactory(code="320585100001002", name="中区二网格", level=RegionLevel.GRID, parent=village_a)
    grid_b = RegionFactory(code="320585101001001", name="沙南一网格", level=RegionLevel.GRID, parent=village_b)
    return {
        "province": province,
        "city": city,
        "district": district,
        "town_a": town_a,
        "town_b": town_b,
        "village_a": village_a,
        "village_b": village_b,
        "grid_a": grid_a,
        "grid_a2": grid_a2,
        "grid_b": grid_b,
    }


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    industry_prefixes = factory.LazyFunction(list)
    venue_types = factory.LazyFunction(list)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.EMPLOYEE
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def government_user(role: str, region: Region, department: Department | None = None, **kwargs) -> User:
    return UserFactory(role=role, region=region, department=department, **kwargs)


def platform_admin(**kwargs) -> User:
    return UserFactory(role=Role.PLATFORM_ADMIN, **kwargs)
