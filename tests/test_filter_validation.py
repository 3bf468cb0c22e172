"""Filter values are checked by kind before they reach the ORM (``Filter.clean``): on a page a
bad value is a message naming the filter and the filter is ignored; on the API it is a 400
naming the filter. A property test throws random values at every registered filter of every
list page, its Excel export and every API list, and never gets a 500."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anjian.core import registry
from anjian.core.api_auth import api_token_create
from anjian.hazards.registry import HAZARD
from anjian.hazards.tests.factories import HazardFactory, category

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"
PAGING = {"limit", "offset"}

# Text without lone surrogates (they cannot travel in a URL at all), with and without NUL.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUES = st.one_of(
    TEXT,
    TEXT.map(lambda text: f"{text}\x00"),
    st.integers().map(str),
    st.integers(min_value=2**63 - 10, max_value=10**40).map(str),
    st.floats().map(str),
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(dt.datetime.isoformat),
    st.sampled_from(
        ["", " ", "true", "yes", "1", "0", "-1", "2024-02-30", "0000-01-01", "C", "320585", "١٢٣", "%", "_", "'", "\\"]
    ),
    st.sampled_from(["x" * 5000, "9" * 5000, "中" * 300]),
)
FAST = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@cache
def api_list_routes() -> dict[str, list[str]]:
    """Every GET route of the API without a path parameter, with its query parameter names."""
    from anjian.core.api import api

    reverse("api:api-root")  # the URL conf loads and every app mounts its routers
    schema = api.get_openapi_schema(path_prefix=PREFIX)
    routes = {}
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        if set(names) - PAGING:
            routes[path] = [name for name in names if name not in PAGING]
    return routes


def _values(data, choices) -> list[str]:
    """One to three values: random ones, and now and then a valid choice (to reach the query)."""
    keys = [str(key) for key, _label in choices]
    pick = st.sampled_from(keys) if keys else VALUES
    return data.draw(st.lists(st.one_of(VALUES, pick), min_size=1, max_size=3))


@pytest.mark.parametrize("slug", [resource.slug for resource in registry.all_resources()])
@FAST
@given(data=st.data())
def test_random_filter_values_never_break_a_list_page_or_its_export(client, world, slug, data):
    resource = registry.get(slug)
    user = world.district_admin
    client.force_login(user)
    names = [flt.name for flt in resource.filters] + ["q", "sort", "page"]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    by_name = {flt.name: flt for flt in resource.filters}
    params = {}
    for name in chosen:
        flt = by_name.get(name)
        params[name] = _values(data, flt.choices(user) if flt is not None and flt.choices else [])
    url = reverse(resource.url_name("list"))
    page = client.get(url, params)
    assert page.status_code == 200, (slug, params)
    export = client.get(url, {**params, "export": "xlsx"})
    assert export.status_code == 200, (slug, params)


@pytest.mark.parametrize("path", sorted(api_list_routes()))
@FAST
@given(data=st.data())
def test_random_filter_values_never_break_an_api_list(client, world, path, data):
    _token, key = api_token_create(user=world.district_admin)
    names = api_list_routes()[path]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    params = {name: _values(data, []) for name in chosen}
    response = client.get(f"{path}", params, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code in {200, 400}, (path, params, response.content[:300])
    if response.status_code == 400:
        body = response.json()
        assert body["detail"] and set(body["errors"]) <= set(names) | {"__all__"}, body


# --- the behaviour, value by value -------------------------------------------------------------


def test_a_bad_filter_value_on_a_page_is_named_and_ignored(client, world):
    hazard = HazardFactory(enterprise=world.enterprise_a)
    client.force_login(world.district_admin)
    response = client.get(reverse("hazards:hazards-list"), {"deadline_from": "abc", "level": "nonsense"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "期限起" in html and "等级" in html and "无效" in html
    assert hazard.place in html  # both filters ignored: the hazard is listed


def test_a_bad_filter_value_on_the_api_is_a_400_naming_it(client, world):
    _token, key = api_token_create(user=world.district_admin)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.get(f"{PREFIX}/hazards/", {"category": "x"}, **auth)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and list(body["errors"]) == ["category"] and body["errors"]["category"]
    response = client.get(f"{PREFIX}/hazards/", {"deadline_from": "2024-02-30", "repeated": "maybe"}, **auth)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"deadline_from", "repeated"}
    response = client.get(f"{PREFIX}/risk-points/", {"enterprise": "9" * 40}, **auth)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"enterprise"}


def test_good_filter_values_still_filter(client, world):
    kept = HazardFactory(enterprise=world.enterprise_a, category=category("S02"))
    other = HazardFactory(enterprise=world.enterprise_a, category=category("S03"))
    _token, key = api_token_create(user=world.district_admin)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.get(f"{PREFIX}/hazards/", {"category": str(kept.category_id), "repeated": "0"}, **auth)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [kept.pk]
    client.force_login(world.district_admin)
    html = client.get(reverse("hazards:hazards-list"), {"category": str(other.category_id)}).content.decode()
    assert other.place in html and kept.place not in html and "无效" not in html


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("boolean", ["1", "0", "true", "False"], ["2", "maybe", ""]),
        ("date", ["2024-02-29", "2026-12-31"], ["2023-02-29", "abc", "2024-1-1x", "0000-01-01"]),
        ("region", ["32", "320585", "320585001"], ["32a", "３２", "1", "x" * 30]),
        ("id", ["1", "-3", "123456789012345678"], ["1.5", "9" * 19, "a", "١"]),
        ("text", ["任意", "a b"], ["a\x00b", "x" * 101]),
    ],
)
def test_filter_clean_by_kind(kind, good, bad):
    from django.core.exceptions import ValidationError

    from anjian.core.registry import Filter

    flt = Filter("f", "f", "", kind=kind)
    for value in good:
        flt.clean(value)
    for value in bad:
        with pytest.raises(ValidationError):
            flt.clean(value)


def test_choice_filters_check_the_choices_or_the_field(world):
    from django.core.exceptions import ValidationError

    by_name = {flt.name: flt for flt in HAZARD.filters}
    user = world.district_admin
    assert by_name["level"].clean("major", user, HAZARD.model) == "major"
    for name, value in [("level", "x"), ("category", "x"), ("escalation", "99"), ("view", "all")]:
        with pytest.raises(ValidationError):
            by_name[name].clean(value, user, HAZARD.model)
    # An industry prefix finer than the listed sections and divisions is still a valid prefix.
    assert by_name["industry"].clean("C131", user, HAZARD.model) == "C131"


# --- the other list-like pages that read their own query parameters --------------------------

QUERY_PAGES = {
    "hazards:hazard-stats": ["from", "to", "region", "industry", "category", "level", "source", "tab"],
    "hazards:list-tabs": ["view", "region", "category", "deadline_from"],
    "hazards:summary": ["view"],
    "hazards:mine": ["view", "page"],
    "inspections:coverage": ["kind", "group", "key"],
    "inspections:rates": ["from", "to", "tab", "page"],
    "risks:review-status": ["month", "state", "town", "page"],
    "risks:board": ["enterprise", "done", "q"],
    "inspections:monthly-report-submit": ["month"],
    "hazards:report": ["enterprise"],
    "inspections:inspection-start": ["enterprise", "q", "kind"],
}
BAD_VALUES = ["²", "9" * 30, "abc", "9999-12-31", "0001-01-01", "a\x00b", "x" * 3000]


@pytest.mark.parametrize("route", sorted(QUERY_PAGES))
@pytest.mark.parametrize("who", ["district_admin", "enterprise_admin_a"])
def test_pages_with_their_own_query_parameters_never_answer_500(client, world, route, who):
    client.force_login(getattr(world, who))
    url = reverse(route)
    failures = []
    for name in QUERY_PAGES[route]:
        for value in BAD_VALUES:
            response = client.get(url, {name: value})
            if response.status_code >= 500:
                failures.append((name, value[:12]))
    assert not failures, failures
