from django.urls import include, path

from anjian.core.views import resource_urls
from anjian.inspections.registry import CHECKLIST, INSPECTION, MONTHLY_REPORT

app_name = "inspections"

urlpatterns = [
    path("checklists/", include(resource_urls(CHECKLIST))),
    path("monthly-reports/", include(resource_urls(MONTHLY_REPORT))),
    path("", include(resource_urls(INSPECTION))),
]
