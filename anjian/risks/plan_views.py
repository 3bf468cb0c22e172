"""The four-colour map (四色图): a site plan shown with its zones painted in the colour of their
highest risk, and the JSON door the drawing page saves zones through. (The upload is the site
plans' declared collection action "new": ``anjian.risks.registry.SITE_PLAN``.)

Views are doors: they parse, call ``anjian.risks.services`` and render. Every read starts from
``restrict``; a plan outside the user's scope answers 404."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anjian.core.actions import form_errors
from anjian.core.models import User
from anjian.core.scoping import VIEW, get_scoped_or_404, restrict
from anjian.risks import rules, services
from anjian.risks.models import LEVEL_COLOURS, RiskLevel, RiskPoint, RiskZone, SitePlan
from anjian.risks.plan_forms import ZoneForm

# The fill of each colour of the map (红橙黄蓝; grey: no assessed point in the zone).
FILLS = {"red": "#e60012", "orange": "#ff8c00", "yellow": "#ffe600", "blue": "#0068b7", "grey": "#9e9e9e"}


def _colour(level: str) -> str:
    return LEVEL_COLOURS.get(level, "grey")


def legend() -> list[dict[str, str]]:
    rows = [
        {"colour": _colour(level), "fill": FILLS[_colour(level)], "label": label} for level, label in RiskLevel.choices
    ]
    return rows + [{"colour": "grey", "fill": FILLS["grey"], "label": _("未评价")}]


def _zones(plan: SitePlan) -> list[RiskZone]:
    points = Prefetch("risk_points", queryset=RiskPoint.objects.filter(archived=False).order_by("name", "pk"))
    return list(RiskZone.objects.filter(plan=plan, archived=False).prefetch_related(points).order_by("pk"))


def zone_json(zone: RiskZone, plan: SitePlan) -> dict[str, Any]:
    level = services.zone_level(zone)
    colour = _colour(level)
    labels = dict(RiskLevel.choices)
    polygon = zone.polygon
    return {
        "id": zone.pk,
        "name": zone.name,
        "polygon": polygon,
        "points": " ".join(f"{x * plan.width:.1f},{y * plan.height:.1f}" for x, y in polygon),
        "label_x": round(sum(x for x, _y in polygon) / len(polygon) * plan.width, 1),
        "label_y": round(sum(y for _x, y in polygon) / len(polygon) * plan.height, 1),
        "level": level,
        "level_label": str(labels.get(level, _("未评价"))),
        "colour": colour,
        "fill": FILLS[colour],
        "risk_points": [
            {"id": p.pk, "name": p.name, "level": p.level, "level_label": str(labels.get(p.level, _("未评价")))}
            for p in zone.risk_points.all()
        ],
    }


def zones_payload(plan: SitePlan) -> dict[str, Any]:
    return {"zones": [zone_json(zone, plan) for zone in _zones(plan)]}


def detail_context(user: User, plan: SitePlan) -> dict[str, Any]:
    """Extra context of the plan's detail page (``risks/plan_detail.html``)."""
    can_draw = rules.may_draw_site_plan(user, plan)
    points = []
    if can_draw:
        points = list(
            restrict(RiskPoint.objects.filter(enterprise_id=plan.enterprise_id, archived=False), user, VIEW)
            .order_by("name", "pk")
            .only("pk", "name", "level", "place")
        )
    zones = zones_payload(plan)
    return {
        "plan": plan,
        "zones": zones["zones"],
        "zones_data": zones,
        "legend": legend(),
        "can_draw": can_draw,
        "plan_points": points,
        "level_labels": dict(RiskLevel.choices),
        "image_url": reverse("core:attachment-download", args=[plan.image_id]) if plan.image_id else "",
        "zones_url": reverse("risks:site-plan-zones", args=[plan.pk]),
        "font_size": max(12, round(plan.width / 45)),
    }


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": [message]}}, status=status)


def _current_zone(plan: SitePlan, value) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and RiskZone.objects.filter(plan=plan, pk=value, archived=False).exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_plan_zones(request: HttpRequest, pk: int) -> JsonResponse:
    """The drawing page's JSON door. GET: the plan's zones with their level and colour. POST JSON
    ``{name, polygon, risk_points, zone?}`` saves a zone (the ``zones`` action's form and
    service); ``{archive: id}`` removes one (the ``archive_zone`` action's service). The answer
    carries every zone as the server coloured it; a zone not of this plan is 404."""
    plan = get_scoped_or_404(SitePlan.objects.select_related("enterprise"), request.user, VIEW, pk=pk)
    if request.method == "GET":
        return JsonResponse(zones_payload(plan))
    if not rules.may_edit_risk_point(request.user, plan):
        return _refused(_("只有本企业的安全管理人员可以修改风险管控信息"), status=403)
    if plan.archived:
        return _refused(_("该平面图已归档"))
    try:
        payload = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        return _refused(_("请求格式无效"))
    if not isinstance(payload, dict):
        return _refused(_("请求格式无效"))
    if "archive" in payload or payload.get("zone") is not None:
        if not _current_zone(plan, payload.get("archive", payload.get("zone"))):
            return _refused(_("区域不存在"), status=404)
    try:
        if "archive" in payload:
            services.risk_zone_remove(actor=request.user, plan=plan, zone=payload["archive"])
            return JsonResponse(zones_payload(plan))
        form = ZoneForm(payload, user=request.user, plan=plan)
        if not form.is_valid():
            return JsonResponse({"errors": form_errors(form)}, status=400)
        zone = services.risk_zone_save(actor=request.user, plan=plan, **form.service_kwargs())
    except (RiskZone.DoesNotExist, SitePlan.DoesNotExist):
        raise Http404 from None
    except ValidationError as exc:
        return JsonResponse({"errors": _errors(exc)}, status=400)
    payload = zones_payload(plan)
    saved = next((z for z in payload["zones"] if z["id"] == zone.pk), None)
    return JsonResponse({"zone": saved, **payload}, status=201 if form.cleaned_data["zone"] is None else 200)
