from django.urls import include, path

from anjian.core.views import resource_urls
from anjian.inspections import coverage_views, report_views
from anjian.inspections.registry import CHECKLIST, INSPECTION, MONTHLY_REPORT

app_name = "inspections"

urlpatterns = [
    path("checklists/", include(resource_urls(CHECKLIST))),
    # Coverage, rates and monthly reports (before "monthly-reports/<pk>/" and the inspections' "<pk>/").
    path("coverage/", coverage_views.coverage_board, name="coverage"),
    path("rates/", coverage_views.rates, name="rates"),
    path("monthly-reports/submit/", report_views.monthly_report_submit, name="monthly-report-submit"),
    path("monthly-reports/<int:pk>/approve/", report_views.monthly_report_approve, name="monthly-report-approve"),
    path("monthly-reports/<int:pk>/return/", report_views.monthly_report_return, name="monthly-report-return"),
    path("monthly-reports/", include(resource_urls(MONTHLY_REPORT))),
    path("", include(resource_urls(INSPECTION))),
]
