from django.urls import include, path

from anjian.core.views import resource_urls
from anjian.risks import check_views, import_views, plan_views, review_views, views
from anjian.risks.registry import INSPECTION_POINT, POINT_CHECK, RISK_POINT, RISK_REVIEW, SITE_PLAN

app_name = "risks"

urlpatterns = [
    path("points/levels/", views.point_levels, name="point-levels"),
    path("points/<int:pk>/card/", views.point_card, name="point-card"),
    # [pages] notice card, inspection point check, board, reviews (the point's and the plan's
    # actions are declared in the registry: resource_urls serves them)
    path("inspection-points/<int:pk>/qr/", check_views.point_qr, name="inspection-point-qr"),
    path("inspection-points/<int:pk>/check/", check_views.point_check, name="inspection-point-check"),
    path("board/", check_views.board, name="board"),
    path("my-tasks/", check_views.my_tasks, name="my-tasks"),
    path("reviews/confirm/", review_views.review_confirm, name="review-confirm"),
    path("reviews/status/", review_views.review_status, name="review-status"),
    path("plans/<int:pk>/drawing/", plan_views.site_plan_zones, name="site-plan-zones"),
    path("import/", import_views.import_upload, name="risk-import"),
    path("import/template/", import_views.import_template, name="risk-import-template"),
    path("import/confirm/", import_views.import_confirm, name="risk-import-confirm"),
    path("export/", import_views.export, name="dual-prevention-export"),
    path("points/", include(resource_urls(RISK_POINT))),
    path("inspection-points/", include(resource_urls(INSPECTION_POINT))),
    path("checks/", include(resource_urls(POINT_CHECK))),
    path("plans/", include(resource_urls(SITE_PLAN))),
    path("reviews/", include(resource_urls(RISK_REVIEW))),
]
