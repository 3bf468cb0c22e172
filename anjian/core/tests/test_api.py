"""The API's kernel: token flow, error format, schema and docs, the region resource."""

import json
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from anjian.core.api_auth import api_token_create, token_digest
from anjian.core.models import ApiToken, AuditEntry
from anjian.core.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/auth/me/"


def post_json(client, url, data, **headers):
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **headers)


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def get_as(client, user, url, **params):
    _token, key = api_token_create(user=user)
    return client.get(url, params, **bearer(key))


# --- tokens -----------------------------------------------------------------------------------


def test_token_flow_issues_a_digest_only_token(client, world):
    response = post_json(client, TOKEN_URL, {"username": "town_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    assert body["user"]["role"] == "town_admin"
    assert body["user"]["region"] == world.regions["town_a"].code
    assert body["user"]["region_name"] == "城厢镇"
    stored = ApiToken.objects.get(user=world.town_admin_a)
    assert stored.key_digest == token_digest(key) != key
    assert not ApiToken.objects.filter(key_digest=key).exists()
    assert abs(stored.expires_at - (timezone.now() + timedelta(hours=12))) < timedelta(minutes=1)
    assert AuditEntry.objects.filter(model="core.apitoken", action="api_token_issue").exists()

    me = client.get(ME_URL, **bearer(key))
    assert me.status_code == 200
    assert me.json()["username"] == "town_a"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_login_by_phone_and_enterprise_in_user(client, world):
    response = post_json(client, TOKEN_URL, {"username": world.enterprise_admin_a.phone, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["enterprise"] == world.enterprise_a.pk
    assert response.json()["user"]["enterprise_name"] == world.enterprise_a.name


def test_token_ttl_is_a_setting(client, world, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    response = post_json(client, TOKEN_URL, {"username": "town_a", "password": DEFAULT_PASSWORD})
    expires = ApiToken.objects.get(user=world.town_admin_a).expires_at
    assert response.status_code == 200
    assert abs(expires - (timezone.now() + timedelta(hours=1))) < timedelta(minutes=1)


def test_wrong_password_is_401_with_a_message_and_no_token(client, world):
    response = post_json(client, TOKEN_URL, {"username": "town_a", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json() == {"detail": "用户名或密码错误"}
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(client, world):
    world.town_admin_a.is_active = False
    world.town_admin_a.save()
    assert post_json(client, TOKEN_URL, {"username": "town_a", "password": DEFAULT_PASSWORD}).status_code == 401


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Token abc", "Basic dG93bl9hOng="],
    ids=["missing", "empty", "unknown", "other-scheme", "basic"],
)
def test_missing_or_invalid_token_is_401(client, world, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/regions/", **headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(client, world):
    token, key = api_token_create(user=world.town_admin_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(ME_URL, **bearer(key)).status_code == 401


def test_token_of_a_deactivated_user_is_401(client, world):
    _token, key = api_token_create(user=world.town_admin_a)
    world.town_admin_a.is_active = False
    world.town_admin_a.save()
    assert client.get(ME_URL, **bearer(key)).status_code == 401


def test_logout_revokes_only_that_token(client, world):
    _first, key = api_token_create(user=world.town_admin_a)
    _second, other = api_token_create(user=world.town_admin_a)
    assert client.post("/api/v1/auth/logout/", **bearer(key)).status_code == 204
    assert client.get(ME_URL, **bearer(key)).status_code == 401
    assert client.post("/api/v1/auth/logout/", **bearer(key)).status_code == 401
    assert client.get(ME_URL, **bearer(other)).status_code == 200
    assert AuditEntry.objects.filter(model="core.apitoken", action="api_token_revoke").count() == 1


def test_last_used_is_written_at_most_once_a_minute(client, world):
    token, key = api_token_create(user=world.town_admin_a)
    recent = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    client.get(ME_URL, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == recent
    stale = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    client.get(ME_URL, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > stale


def test_token_route_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, TOKEN_URL, {"username": "town_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


def test_axes_throttles_the_token_route(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        post_json(client, TOKEN_URL, {"username": "town_a", "password": "wrong-password"})
    response = post_json(client, TOKEN_URL, {"username": "town_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "锁定" in response.json()["detail"]
    assert not ApiToken.objects.exists()


# --- the error format -------------------------------------------------------------------------


def test_schema_errors_are_400_with_field_names(client, world):
    response = post_json(client, TOKEN_URL, {"username": "town_a", "password": 12, "extra": 1})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "提交的数据有误"
    assert set(body["errors"]) == {"password", "extra"}
    assert post_json(client, TOKEN_URL, {}).json()["errors"]["username"] == ["此字段为必填项"]


def test_unparseable_body_is_400(client, world):
    response = post_json(client, TOKEN_URL, "{not json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON"


def test_query_errors_are_400(client, world):
    response = get_as(client, world.district_admin, "/api/v1/regions/", limit=201, sort="bogus")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"limit", "sort"}


# --- schema and docs --------------------------------------------------------------------------


def test_api_root_points_to_docs_and_schema(client):
    body = client.get("/api/v1/").json()
    assert body["docs"] == "/api/v1/docs/" and body["schema"] == "/api/v1/schema/"


@pytest.mark.parametrize("url", ["/api/v1/no-such-thing/", "/api/v1/enterprises/1/nothing/"])
def test_unknown_api_paths_answer_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到"}


def test_openapi_schema_lists_the_routes(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Anjian API"
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/auth/logout/",
        "/api/v1/regions/",
        "/api/v1/regions/{pk}/",
        "/api/v1/enterprises/",
        "/api/v1/enterprises/{pk}/",
        "/api/v1/enterprises/{pk}/move/",
        "/api/v1/enterprises/{pk}/history/",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/enterprises/{pk}/"]) == {"get", "patch"}
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_docs_are_served_from_local_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/api/v1/schema/" in html
    assert "http://" not in html and "https://" not in html
    assert finders.find("ninja/swagger-ui-bundle.js") is not None


# --- regions ----------------------------------------------------------------------------------


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["code"] for item in body["items"]}


def test_regions_are_scoped_per_role(client, world):
    r = world.regions
    assert len(codes(get_as(client, world.platform_admin, "/api/v1/regions/"))) == len(r)
    assert codes(get_as(client, world.district_admin, "/api/v1/regions/")) == {
        r[k].code for k in ("district", "town_a", "town_b", "village_a", "village_b", "grid_a", "grid_a2", "grid_b")
    }
    assert codes(get_as(client, world.town_admin_a, "/api/v1/regions/")) == {
        r[k].code for k in ("town_a", "village_a", "grid_a", "grid_a2")
    }
    # An enterprise sees the chain above its own grid, nothing beside it.
    assert codes(get_as(client, world.enterprise_admin_a, "/api/v1/regions/")) == {
        r[k].code for k in ("province", "city", "district", "town_a", "village_a", "grid_a")
    }


def test_region_filters(client, world):
    r = world.regions
    assert codes(get_as(client, world.district_admin, "/api/v1/regions/", level=4)) == {
        r["town_a"].code,
        r["town_b"].code,
    }
    assert codes(get_as(client, world.district_admin, "/api/v1/regions/", parent=r["village_a"].code)) == {
        r["grid_a"].code,
        r["grid_a2"].code,
    }
    assert codes(get_as(client, world.district_admin, "/api/v1/regions/", q="沙溪")) == {r["town_b"].code}
    page = get_as(client, world.district_admin, "/api/v1/regions/", limit=2, offset=1, sort="-code").json()
    assert page["count"] == 8
    assert [i["code"] for i in page["items"]] == [r["village_b"].code, r["town_b"].code]


def test_region_detail_and_404s(client, world):
    grid_a = world.regions["grid_a"]
    detail = get_as(client, world.town_admin_a, f"/api/v1/regions/{grid_a.code}/")
    assert detail.status_code == 200
    assert detail.json()["parent_name"] == "中区社区"
    assert detail.json()["level_display"] == "网格"
    for user, code in [
        (world.town_admin_b, grid_a.code),
        (world.enterprise_admin_b, grid_a.code),
        (world.district_admin, "999"),
    ]:
        response = get_as(client, user, f"/api/v1/regions/{code}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到"}


def test_region_list_query_count(client, world, django_assert_max_num_queries):
    _token, key = api_token_create(user=world.district_admin)
    client.get("/api/v1/regions/", **bearer(key))  # the first request also stamps last_used_at
    with django_assert_max_num_queries(3):  # token, count, page (parents joined)
        assert client.get("/api/v1/regions/", **bearer(key)).status_code == 200
