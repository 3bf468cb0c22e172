"""The REST API under /api/v1/: one NinjaAPI, bearer-token auth, one error format, and generic
scoped helpers driven by the registry, so an app serves a registered resource in a few lines::

    # anjian/hazards/api.py
    from anjian.core.api import Ref, resource_router
    from anjian.hazards.registry import HAZARD

    router = resource_router(
        HAZARD,
        out=HazardOut,                  # detail schema (ninja Schema)
        item=HazardItem,                # list rows (defaults to ``out``)
        create=HazardIn,                # POST  -> HAZARD.create_service
        update=patch_schema(HazardIn),  # PATCH -> HAZARD.update_service
        refs={"enterprise": Ref(Enterprise)},  # FK inputs by key, resolved inside the user's scope
    )

    # Each action declared in the registry (``Resource.actions``) becomes
    # ``POST /<slug>/{pk}/<action>/`` with a body derived from its form; the detail schema gains
    # ``allowed_actions``. Other routes use the scoped helpers:
    @router.get("/{pk}/ledger/", url_name="hazards-ledger")
    def ledger(request, pk: str):
        hazard = scoped_get(request, router.api_resource.resource, pk)
        ...

``resource_router`` mounts the router at ``/<slug>/``; every ``anjian.<app>.api`` module is imported
when the URLs are built, so nothing else needs registering. Every route starts from ``restrict()``
(through ``anjian.core.listing.scoped_list`` and ``get_scoped_or_404``): out of scope answers 404
exactly like missing.

Errors always look like ``{"detail": "...", "errors": {"field": ["message", ...]}}``:
400 for invalid input (schema or service), 401 without a valid token, 404 for missing or out of
scope, 429 when login is throttled.

The package: ``base`` (the NinjaAPI, error format), ``inputs`` (input helpers), ``resources``
(generic resource and action routes), ``core_routes`` (the kernel's own routes and shared
schemas). Everything public is importable from ``anjian.core.api``.
"""

from importlib import import_module

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path, reverse
from django.utils.module_loading import module_has_submodule

from anjian.core.api.base import *  # noqa: F403
from anjian.core.api.base import api, not_found
from anjian.core.api.core_routes import *  # noqa: F403
from anjian.core.api.inputs import *  # noqa: F403
from anjian.core.api.resources import *  # noqa: F403

# --- URLs -------------------------------------------------------------------------------------


def discover() -> None:
    """Import the ``api`` module of every installed app of ours (one with a ``registry``), so each
    mounts its routers."""
    for config in apps.get_app_configs():
        if config.name != "anjian.core" and module_has_submodule(config.module, "registry"):
            if module_has_submodule(config.module, "api"):
                import_module(f"{config.name}.api")


app_name = "api"


def api_index(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: where the docs and the schema are (ninja's own root answers an HTML 404)."""
    return api.create_response(
        request,
        {
            "title": api.title,
            "version": api.version,
            "docs": reverse("api:openapi-view"),
            "schema": reverse("api:openapi-json"),
            "token": reverse("api:auth-token"),
        },
        status=200,
    )


def __getattr__(name: str):
    # ``include("anjian.core.api")`` asks for ``urlpatterns`` once the URL conf loads (apps ready);
    # building them lazily lets every app's api module import the helpers above first.
    if name == "urlpatterns":
        discover()
        # Last: any other path under the API answers in the API's format, not an HTML page. Only
        # paths ending in "/" so that APPEND_SLASH still redirects a missing slash.
        patterns = [
            path("", api_index, name="api-root") if getattr(p, "name", None) == "api-root" else p for p in api.urls[0]
        ]
        patterns.append(re_path(r"^(?:.*/)?$", not_found))
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
