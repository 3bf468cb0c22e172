from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.models import User
from anjian.core.roles import Role
from anjian.core.scoping import VIEW, may


def navigation(request) -> dict:
    """The menu for the user's role, and the site name."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items.append((_("首页"), reverse("home")))
        if user.is_platform_admin or user.is_government or user.is_agency_user:
            items.append((_("企业档案"), reverse("enterprises:enterprises-list")))
        elif user.enterprise_id:
            items.append((_("企业档案"), reverse("enterprises:enterprises-detail", args=[user.enterprise_id])))
        from anjian.hazards.models import Hazard

        if user.role != Role.PENDING and may(user, Hazard, VIEW):
            items.append((_("隐患排查"), reverse("hazards:hazards-list")))
            items.append((_("隐患统计"), reverse("hazards:hazard-stats")))
            items.append((_("检查"), reverse("inspections:inspections-list")))
            items.append((_("体检卡"), reverse("inspections:checklists-list")))
            if user.is_platform_admin or user.is_government:
                items.append((_("巡查覆盖"), reverse("inspections:coverage")))
                items.append((_("提报率"), reverse("inspections:rates")))
                items.append((_("巡查计划"), reverse("inspections:patrol-rules-list")))
            items.append((_("月度报告"), reverse("inspections:monthly-reports-list")))
            items.append((_("风险点"), reverse("risks:risk-points-list")))
            items.append((_("巡检看板"), reverse("risks:board")))
            items.append((_("巡检点"), reverse("risks:inspection-points-list")))
            items.append((_("巡检记录"), reverse("risks:point-checks-list")))
            items.append((_("四色图"), reverse("risks:site-plans-list")))
            items.append((_("月度风险自查"), reverse("risks:risk-reviews-list")))
        if user.is_platform_admin or user.is_government:
            items.append((_("行政区划"), reverse("core:regions-list")))
        if may(user, User, VIEW):
            items.append((_("用户管理"), reverse("core:users-list")))
        if user.role == Role.PENDING:
            items = [(_("绑定企业"), reverse("home"))]
    return {"nav_items": items, "platform_name": settings.SITE_NAME}
