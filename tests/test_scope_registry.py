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

# Everybody who must not see town A's enterprise A: another town's admin, another enterprise's
# admin, the grid inspector of the neighbouring grid, an agency user whose agency holds no
# contract with A (only one with B), a department officer of another sector (schools).
OUTSIDERS = ["town_admin_b", "enterprise_admin_b", "grid_inspector_a2", "agency_user_b", "department_officer_edu"]


def outsider(world, name: str):
    """The user ``name`` of ``OUTSIDERS``: the world's own, or made once per test here."""
    if hasattr(world, name):
        return getattr(world, name)
    import datetime as dt

    from anjian.core.roles import Role
    from anjian.core.tests.factories import DepartmentFactory, UserFactory, government_user

    regions = world.regions
    if name == "grid_inspector_a2":
        user = government_user(Role.GRID_INSPECTOR, regions["grid_a2"], username="grid_a2")
    elif name == "agency_user_b":
        from anjian.agencies.models import Agency, ServiceContract

        agency = Agency.objects.create(name="沙溪安评", credit_code="91320585000000002X", region=regions["district"])
        today = dt.date.today()
        ServiceContract.objects.create(
            agency=agency, enterprise=world.enterprise_b, start_date=today, end_date=today + dt.timedelta(days=30)
        )
        user = UserFactory(role=Role.AGENCY_ENGINEER, agency=agency, username="agency_b")
    elif name == "department_officer_edu":
        education = DepartmentFactory(code="edu", name="教育局", industry_prefixes=["P"], venue_types=["school"])
        user = government_user(Role.DEPARTMENT_OFFICER, regions["district"], education, username="dept_edu")
    else:
        raise LookupError(name)
    setattr(world, name, user)
    return user


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


# Records of an area rather than of an enterprise (a division, a town's patrol rule): the grid
# inspector of a neighbouring grid in the same town and a district-wide department officer see
# them by design; for every other resource all OUTSIDERS must be refused.
AREA_WIDE = {"regions", "patrol-rules"}
AREA_INSIDERS = {"grid_inspector_a2", "department_officer_edu"}


def applies(slug: str, who: str) -> bool:
    return not (slug in AREA_WIDE and who in AREA_INSIDERS)


def _cases():
    for resource in registry.all_resources():
        for name in resource.object_routes():
            yield pytest.param(resource.slug, name, id=name)


@pytest.mark.parametrize(("slug", "route"), list(_cases()))
def test_outsider_gets_404(client, world, slug, route):
    """Every outsider role that could be confused with an insider (another town, another
    enterprise, the neighbouring grid, an agency without a contract, another sector) gets 404 on
    GET and POST, and nothing changes; one world per route keeps the walk fast."""
    resource = registry.get(slug)
    obj = in_scope_object(resource, world)
    url = reverse(route, args=[obj.pk])
    client.force_login(world.district_admin)
    assert client.get(url).status_code == 200, f"{route} should open for the district admin"
    before = _state(obj)
    for who in OUTSIDERS:
        if not applies(resource.slug, who):
            continue
        client.force_login(outsider(world, who))
        assert client.get(url).status_code == 404, (route, who)
        # A GET-only page answers 405 to everybody; either way nothing leaks and nothing changes.
        posted = client.post(url, {"name": "篡改", "region": world.regions["grid_b"].pk})
        assert posted.status_code in {404, 405}, (route, who)
        assert _state(obj) == before, (route, who)


def _state(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("slug", [resource.slug for resource in registry.all_resources()])
def test_lists_and_exports_only_show_the_users_area(client, world, slug):
    """A record of enterprise A / town A is on the district's list page and Excel export, and on
    no outsider's; each outsider's export holds exactly the records his scope gives him."""
    from anjian.core.scoping import VIEW, restrict

    resource = registry.get(slug)
    obj = in_scope_object(resource, world)
    url = reverse(resource.url_name("list"))
    detail = reverse(resource.url_name("detail"), args=[obj.pk])
    row = _export_row(resource, obj)

    client.force_login(world.district_admin)
    assert obj.pk in _listed(client, url)[0]
    assert row in _xlsx_rows(client.get(url, {"export": "xlsx"}).content)

    for who in OUTSIDERS:
        if not applies(slug, who):
            continue
        user = outsider(world, who)
        client.force_login(user)
        listed, html = _listed(client, url)
        assert obj.pk not in listed, who
        assert f'href="{detail}"' not in html, who
        export = client.get(url, {"export": "xlsx"})
        assert export.status_code == 200, who
        visible = restrict(resource.base_queryset(), user, VIEW)
        assert not visible.filter(pk=obj.pk).exists(), who
        rows = _xlsx_rows(export.content)
        assert len(rows) == visible.count(), who
        lookalikes = [_export_row(resource, other) for other in visible]
        assert rows.count(row) == lookalikes.count(row), who  # A's row only where a visible one reads the same


def _listed(client, url: str) -> tuple[set, str]:
    """The keys of the records on every page of a list, and the pages' HTML."""
    keys, html, number = set(), "", 1
    while True:
        response = client.get(url, {"page": number})
        assert response.status_code == 200
        html += response.content.decode()
        page = response.context["page"]
        keys |= {o.pk for o in page.object_list}
        if not page.has_next():
            return keys, html
        number += 1


def _export_row(resource, obj) -> tuple:
    """The Excel row ``obj`` makes, read back as the workbook stores it."""
    from anjian.core.exporting import export_rows, workbook_bytes

    queryset = resource.base_queryset().filter(pk=obj.pk)
    [values] = list(export_rows(queryset, resource.columns, resource.choice_labels()))
    return _xlsx_rows(workbook_bytes("x", [str(c.label) for c in resource.columns], [values]))[0]


def _xlsx_rows(data: bytes) -> list[tuple]:
    """The data rows of a one-sheet workbook (header left out)."""
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


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


# --- routes that take the record in the query string ------------------------------------------

# (route, parameter): the enterprise named by ``?enterprise=`` (or ``enterprise`` posted).
QUERY_ROUTES = [
    "hazards:report",
    "inspections:inspection-start",
    "risks:board",
    "risks:risk-import",
    "risks:dual-prevention-export",
]
# Enterprise pickers searched with ``?q=``: an outsider never finds enterprise A.
PICKERS = ["enterprises:picker", "inspections:inspection-start", "risks:board", "risks:risk-import"]


def _written_for(enterprise) -> dict[str, int]:
    """How many records of each kind enterprise A has, to prove an outsider wrote none."""
    from anjian.hazards.models import Hazard
    from anjian.inspections.models import Inspection
    from anjian.risks.models import RiskPoint

    return {
        model.__name__: model.objects.filter(enterprise=enterprise).count() for model in (Hazard, Inspection, RiskPoint)
    }


def _shows(response, enterprise) -> bool:
    body = response.content.decode(errors="replace")
    return enterprise.name in body or enterprise.credit_code in body


@pytest.mark.parametrize("route", QUERY_ROUTES)
def test_query_routes_open_the_named_enterprise_for_an_insider(client, world, route):
    client.force_login(world.platform_admin)
    response = client.get(reverse(route), {"enterprise": world.enterprise_a.pk})
    assert response.status_code == 200 and _shows(response, world.enterprise_a), route


@pytest.mark.parametrize("route", QUERY_ROUTES)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_query_routes_refuse_an_outsiders_enterprise(client, world, route, who):
    """``?enterprise=<A>`` by an outsider: 404, or (an enterprise user, whose own enterprise is
    always the one used) a page that never shows A; posting it writes nothing for A."""
    a = world.enterprise_a
    client.force_login(outsider(world, who))
    before = _written_for(a)
    response = client.get(reverse(route), {"enterprise": a.pk})
    assert response.status_code == 404 or not _shows(response, a), (route, response.status_code)
    body = {"enterprise": a.pk, "place": "篡改", "description": "篡改", "kind": "", "name": "篡改"}
    response = client.post(reverse(route), body)
    assert response.status_code in {302, 400, 404, 405} or not _shows(response, a)
    assert _written_for(a) == before
    for bad in ("abc", "-1", "9" * 30, ""):
        assert client.get(reverse(route), {"enterprise": bad}).status_code in {200, 302, 404}


@pytest.mark.parametrize("route", PICKERS)
@pytest.mark.parametrize("who", [*OUTSIDERS, "district_admin"])
def test_enterprise_pickers_find_only_the_users_enterprises(client, world, route, who):
    from anjian.risks.models import InspectionPoint

    in_scope_object(registry.for_model(InspectionPoint), world)  # the board picks among these
    client.force_login(outsider(world, who))
    response = client.get(reverse(route), {"q": world.enterprise_a.name[:4]})
    assert response.status_code in {200, 404}
    assert _shows(response, world.enterprise_a) is (who == "district_admin" and response.status_code == 200)
