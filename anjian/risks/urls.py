from django.urls import include, path

from anjian.core.views import resource_urls
from anjian.risks import plan_views
from anjian.risks.registry import INSPECTION_POINT, POINT_CHECK, RISK_POINT, RISK_REVIEW, SITE_PLAN

app_name = "risks"

urlpatterns = [
    # [pages] risk point detail forms, notice card, inspection point check, board, reviews
    path("plans/new/", plan_views.site_plan_new, name="site-plan-new"),
    path("plans/<int:pk>/zones/", plan_views.site_plan_zones, name="site-plan-zones"),
    # [import] Excel import and dual-prevention export
    path("points/", include(resource_urls(RISK_POINT))),
    path("inspection-points/", include(resource_urls(INSPECTION_POINT))),
    path("checks/", include(resource_urls(POINT_CHECK))),
    path("plans/", include(resource_urls(SITE_PLAN))),
    path("reviews/", include(resource_urls(RISK_REVIEW))),
]
