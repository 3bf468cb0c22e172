"""The API half of the registry-driven scope test: every /api/v1/ route with a path parameter,
for every method, answers 404 to a user of another town and of another enterprise, and changes
nothing. Routes are read from the OpenAPI schema, so a new route is covered the day it exists."""

from __future__ import annotations

import json
import re

import pytest

from anjian.core import registry
from anjian.core.tests.factories import DEFAULT_PASSWORD
from tests.test_scope_registry import _state, in_scope_object

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1"
# Parameterised API routes that are not "one record of a resource", and where they are tested.
COVERED_ELSEWHERE = {
    "attachments": "owner-scoped; anjian/core/tests/test_attachments.py::test_api_download_is_scoped",
}


def _schema(client) -> dict:
    return client.get(f"{PREFIX}/schema/").json()


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


@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
def test_outsiders_get_404_on_every_api_object_route(client, world, outsider):
    token = _token(client, getattr(world, outsider))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    insider_headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(client, world.district_admin)}"}
    checked = 0
    for path, method, slug, fields in _object_routes(_schema(client)):
        obj = in_scope_object(registry.get(slug), world)
        url = path.split("{")[0] + str(obj.pk) + path.split("}", 1)[1]
        url = re.sub(r"\{[^}]+\}", "1", url)  # a further parameter (a version number): the first
        if method == "GET":
            assert client.get(url, **insider_headers).status_code == 200, f"{url} should open for the district admin"
        before = _state(obj)
        candidate = {"name": "篡改", "region": world.regions["grid_b"].code, "staff_count": 1, "grid_inspector": None}
        body = json.dumps({key: value for key, value in candidate.items() if key in fields})
        response = client.generic(method, url, body, content_type="application/json", **headers)
        assert response.status_code == 404, f"{method} {url} gave {response.status_code} to {outsider}"
        assert response.json() == {"detail": "未找到"}
        assert _state(obj) == before
        checked += 1
    assert checked >= 5
