"""The registry-driven scope test: every page route that acts on one record, for every registered
resource, answers 404 to a user of another town and of another enterprise, for GET and POST.

A new route with a path parameter fails ``test_every_object_route_is_covered`` until it is
claimed by a resource (a detail action) or listed in ``COVERED_ELSEWHERE`` with the test that
proves its scoping."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from anjian.core import registry

pytestmark = pytest.mark.django_db

# Routes with a path parameter that are not "one record of a resource", and where they are tested.
COVERED_ELSEWHERE = {
    "enterprises:bind": "token-based; anjian/enterprises/tests/test_binding.py",
    "core:attachment-download": "owner-scoped; anjian/core/tests/test_attachments.py",
    "portal:inbox-read": "recipient-scoped; anjian/core/tests/test_notify.py",
    "enterprises:enterprise-import-confirm": "session-bound upload; anjian/enterprises/tests/test_import.py",
    "hazards:public-report": "signed enterprise token, no login; anjian/hazards/tests/test_views.py",
    "core:reference-list": "table owner or district override; anjian/core/tests/test_reference.py",
    "core:reference-create": "table owner or district override; anjian/core/tests/test_reference.py",
    "core:reference-edit": "row owner (district of the override); anjian/core/tests/test_reference.py",
    "core:reference-toggle": "row owner (district of the override); anjian/core/tests/test_reference.py",
}


def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _walk(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def parameterised_page_routes() -> set[str]:
    names = set()
    for name, pattern in _walk(get_resolver()):
        if name.startswith("api:"):
            continue  # the API has its own walk (tests/test_api_scope_registry.py)
        if pattern.pattern.converters or "<" in str(pattern.pattern):
            names.add(name)
    return names


def in_scope_object(resource, world):
    """An object of the resource that belongs to town A / enterprise A."""
    model = resource.model
    if model is world.enterprise_a.__class__:
        return world.enterprise_a
    from anjian.core.models import Region, User

    if model is Region:
        return world.regions["grid_a"]
    if model is User:
        return world.employee_a
    from anjian.hazards.models import Hazard

    if model is Hazard:
        from anjian.hazards.tests.factories import HazardFactory

        return HazardFactory(enterprise=world.enterprise_a)
    from anjian.inspections.models import ChecklistTemplate, Inspection, MonthlyReport, PatrolRule
    from anjian.risks.tests.factories import scope_object

    risk_record = scope_object(model, world)
    if risk_record is not None:
        return risk_record
    if model is PatrolRule:
        return PatrolRule.objects.get_or_create(
            region=world.regions["town_a"], kind="grid_patrol", defaults={"interval_days": 45}
        )[0]

    if model is ChecklistTemplate:
        from anjian.inspections import services

        return services.checklist_create(actor=world.enterprise_admin_a, name="本厂日检", items=[{"text": "通道畅通"}])
    if model is Inspection:
        from anjian.inspections.tests.factories import make_checklist

        return services_start(world, make_checklist())
    if model is MonthlyReport:
        existing = MonthlyReport.objects.filter(enterprise=world.enterprise_a).first()
        if existing is not None:  # one report per enterprise and month: the API walk asks per route
            return existing
        from django.utils import timezone

        from anjian.inspections import services

        return services.monthly_report_submit(
            actor=world.enterprise_admin_a,
            enterprise=world.enterprise_a,
            month=timezone.localdate(),
            data={"passages": "通道畅通"},
        )
    factory = getattr(resource, "test_factory", None)
    assert factory is not None, f"{resource.slug}: give the resource a test_factory(world) for the scope test"
    return factory(world)


def services_start(world, template):
    from anjian.inspections import services

    return services.inspection_start(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=template)


def test_every_object_route_is_covered():
    claimed = {name for resource in registry.all_resources() for name in resource.object_routes()}
    unclaimed = parameterised_page_routes() - claimed - set(COVERED_ELSEWHERE)
    assert not unclaimed, f"routes with a parameter but no scope test: {sorted(unclaimed)}"


def _cases():
    for resource in registry.all_resources():
        for name in resource.object_routes():
            yield pytest.param(resource.slug, name, id=name)


@pytest.mark.parametrize(("slug", "route"), list(_cases()))
@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
def test_outsider_gets_404(client, world, slug, route, outsider):
    resource = registry.get(slug)
    obj = in_scope_object(resource, world)
    url = reverse(route, args=[obj.pk])
    insider = world.district_admin
    client.force_login(insider)
    assert client.get(url).status_code == 200, f"{route} should open for the district admin"
    client.force_login(getattr(world, outsider))
    before = _state(obj)
    assert client.get(url).status_code == 404
    # A GET-only page answers 405 to everybody; either way nothing leaks and nothing changes.
    assert client.post(url, {"name": "篡改", "region": world.regions["grid_b"].pk}).status_code in {404, 405}
    assert _state(obj) == before


def _state(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_lists_and_exports_only_show_the_users_area(client, world):
    for resource in registry.all_resources():
        url = reverse(resource.url_name("list"))
        client.force_login(world.town_admin_b)
        page = client.get(url).content.decode()
        export = client.get(url, {"export": "xlsx"})
        assert export.status_code == 200
        if resource.model is world.enterprise_a.__class__:
            assert world.enterprise_a.name not in page
            assert world.enterprise_b.name in page
            assert world.enterprise_a.name.encode() not in _xlsx_text(export.content)
            assert world.enterprise_b.name.encode() in _xlsx_text(export.content)


def _xlsx_text(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))


@pytest.mark.parametrize("slug", [resource.slug for resource in registry.all_resources()])
def test_every_list_page_has_a_bounded_query_count(client, world, slug, django_assert_max_num_queries):
    """No N+1 on any registered list: the page and its export run a fixed number of queries."""
    resource = registry.get(slug)
    url = reverse(resource.url_name("list"))
    client.force_login(world.district_admin)
    client.get(url)  # warm caches (content types, translations)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(url, {"export": "xlsx"}).status_code == 200
