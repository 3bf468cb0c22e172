from django.urls import path

from anjian.core.views import resource_urls
from anjian.hazards import ledger, stats_views, views
from anjian.hazards.registry import HAZARD

app_name = "hazards"

urlpatterns = [
    # Before the resource's "<pk>/" so these words are not read as ids.
    path("stats/", stats_views.hazard_stats, name="hazard-stats"),
    path("ledger/<int:enterprise_id>/", ledger.hazard_ledger, name="hazard-ledger"),
    path("report/", views.report, name="report"),
    path("report/enterprise/<int:pk>/", views.report, name="report-enterprise"),
    path("mine/", views.mine, name="mine"),
    path("tabs/", views.list_tabs, name="list-tabs"),
    path("summary/", views.summary, name="summary"),
    path("public-report/", views.public_report_index, name="public-report-index"),
    path("public-report/<str:token>/", views.public_report, name="public-report"),
    path("public-qr/<int:pk>/", views.public_report_qr, name="public-report-qr"),
    *resource_urls(HAZARD),
]
