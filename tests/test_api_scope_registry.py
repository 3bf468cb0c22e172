"""The API half of the registry-driven scope test: every /api/v1/ route with a path parameter,
for every method, answers 404 to a user of another town and of another enterprise, and changes
nothing. Routes are read from the OpenAPI schema, so a new route is covered the day it exists."""

from __future__ import annotations

import json
import re

import pytest

from anjian.core import registry
from anjian.core.tests.factories import DEFAULT_PASSWORD
from tests.test_scope_registry import OUTSIDERS, _state, applies, in_scope_object, outsider

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1"
# Parameterised API routes that are not "one record of a resource", and where they are tested.
COVERED_ELSEWHERE = {
    "attachments": "owner-scoped; test_attachment_downloads_follow_the_owners_scope below",
}


_SCHEMA: dict = {}


def _schema(client) -> dict:
    """The OpenAPI schema, fetched once per test process (building it costs a quarter second)."""
    if not _SCHEMA:
        _SCHEMA.update(client.get(f"{PREFIX}/schema/").json())
    return _SCHEMA


def _token(client, user) -> str:
    body = json.dumps({"username": user.username, "password": DEFAULT_PASSWORD})
    response = client.post(f"{PREFIX}/auth/token/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _object_routes(schema: dict):
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        slug = path.removeprefix(PREFIX).strip("/").split("/")[0]
        if slug in COVERED_ELSEWHERE:
            continue
        for method, operation in operations.items():
            yield path, method.upper(), slug, _body_fields(schema, operation)


def _body_fields(schema: dict, operation: dict) -> set[str]:
    """The property names of an operation's JSON body, so the request is valid apart from scope."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    if not ref:
        return set()
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return set(component.get("properties", {}))


def test_every_parameterised_api_route_belongs_to_a_registered_resource(client):
    slugs = {resource.slug for resource in registry.all_resources()}
    routes = list(_object_routes(_schema(client)))
    assert routes, "the schema lists no routes with a parameter"
    assert {slug for _path, _method, slug, _fields in routes} <= slugs


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_api_object_route(client, world, who):
    """Every route with a path parameter (detail, update, history, actions …) for every role
    that must not see town A's enterprise A."""
    token = _token(client, outsider(world, who))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    insider_headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(client, world.district_admin)}"}
    checked = 0
    histories = 0
    for path, method, slug, fields in _object_routes(_schema(client)):
        if not applies(slug, who):
            continue
        histories += path.endswith("/history/")
        obj = in_scope_object(registry.get(slug), world)
        url = path.split("{")[0] + str(obj.pk) + path.split("}", 1)[1]
        url = re.sub(r"\{[^}]+\}", "1", url)  # a further parameter (a version number): the first
        if method == "GET":
            assert client.get(url, **insider_headers).status_code == 200, f"{url} should open for the district admin"
        before = _state(obj)
        candidate = {"name": "篡改", "region": world.regions["grid_b"].code, "staff_count": 1, "grid_inspector": None}
        body = json.dumps({key: value for key, value in candidate.items() if key in fields})
        response = client.generic(method, url, body, content_type="application/json", **headers)
        assert response.status_code == 404, f"{method} {url} gave {response.status_code} to {who}"
        assert response.json() == {"detail": "未找到"}
        assert _state(obj) == before
        checked += 1
    assert checked >= 5 and histories >= 3  # the history API is walked too


def _headers(user) -> dict[str, str]:
    from anjian.core.api_auth import api_token_create

    _token_row, key = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _listed_keys(client, path: str, headers: dict, params: dict | None = None) -> set[str]:
    """The keys (``id`` or ``code``) of every item of an API list, page by page."""
    keys: set[str] = set()
    offset = 0
    while True:
        response = client.get(path, {**(params or {}), "limit": 200, "offset": offset}, **headers)
        assert response.status_code == 200, (path, response.content[:300])
        body = response.json()
        keys |= {str(item.get("id", item.get("code"))) for item in body["items"]}
        offset += 200
        if offset >= body["count"]:
            return keys


@pytest.mark.parametrize("slug", [resource.slug for resource in registry.all_resources()])
def test_api_lists_never_show_an_outsider_the_record(client, world, slug):
    """A record of enterprise A / town A is in the district's API list and in no outsider's, even
    when he names enterprise A in the query."""
    path = f"{PREFIX}/{slug}/"
    list_route = _schema(client)["paths"].get(path, {}).get("get")
    if list_route is None:
        return  # a resource without an API list (its pages are walked in test_scope_registry)
    params = {p["name"] for p in list_route.get("parameters", []) if p["in"] == "query"}
    obj = in_scope_object(registry.get(slug), world)
    assert str(obj.pk) in _listed_keys(client, path, _headers(world.district_admin))
    for who in OUTSIDERS:
        if not applies(slug, who):
            continue
        headers = _headers(outsider(world, who))
        assert str(obj.pk) not in _listed_keys(client, path, headers), who
        if "enterprise" in params:
            assert str(obj.pk) not in _listed_keys(client, path, headers, {"enterprise": world.enterprise_a.pk}), who


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_query_routes_refuse_an_outsiders_enterprise(client, world, who):
    """Routes without a path parameter that name a record in the query (``?enterprise=``)."""
    a = world.enterprise_a
    insider = _headers(world.district_admin)
    headers = _headers(outsider(world, who))
    checked = 0
    for path, operations in _schema(client)["paths"].items():
        get = operations.get("get")
        if "{" in path or get is None:
            continue
        if "enterprise" not in {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}:
            continue
        obj = in_scope_object(registry.get(path.removeprefix(PREFIX).strip("/").split("/")[0]), world)
        seen = client.get(path, {"enterprise": a.pk}, **insider)
        assert seen.status_code == 200, path
        assert a.name in seen.content.decode() or f'"id": {obj.pk},' in seen.content.decode(), path
        response = client.get(path, {"enterprise": a.pk}, **headers)
        assert response.status_code in {200, 404}, (path, response.status_code)
        if response.status_code == 200:
            body = response.json()
            assert a.name not in response.content.decode(), path
            assert not body.get("count") and not body.get("items"), (path, body)
        checked += 1
    assert checked >= 5


# --- attachment downloads: page and API ------------------------------------------------------


@pytest.mark.parametrize("slug", [resource.slug for resource in registry.all_resources()])
def test_attachment_downloads_follow_the_owners_scope(client, world, slug):
    """A file attached to a record of enterprise A / town A downloads for the district, and is a
    404 for every outsider, on the page route and the API route alike."""
    from django.urls import reverse

    from anjian.core.attachments import attachment_add
    from anjian.hazards.tests.factories import photo

    obj = in_scope_object(registry.get(slug), world)
    attachment = attachment_add(actor=None, owner=obj, upload=photo(), kind="photo")
    page = reverse("core:attachment-download", args=[attachment.pk])
    api = f"{PREFIX}/attachments/{attachment.pk}/"
    client.force_login(world.district_admin)
    assert client.get(page).status_code == 200
    assert client.get(api, **_headers(world.district_admin)).status_code == 200
    for who in OUTSIDERS:
        if not applies(slug, who):
            continue
        user = outsider(world, who)
        client.force_login(user)
        assert client.get(page).status_code == 404, who
        assert client.get(page, {"download": "1"}).status_code == 404, who
        response = client.get(api, **_headers(user))
        assert response.status_code == 404 and response.json() == {"detail": "未找到"}, who
