from django.urls import include, path

from anjian.core.views import resource_urls
from anjian.inspections import checklist_views, coverage_views, report_views, run_views
from anjian.inspections.registry import CHECKLIST, INSPECTION, MONTHLY_REPORT, PATROL_RULE

app_name = "inspections"

urlpatterns = [
    # Checklist pages beyond list and detail (before the resource's "<pk>/"). The items editor of a
    # new checklist: the page of the declared "create" collection action, at its address.
    path("checklists/create/", checklist_views.checklist_create, name="checklists-create"),
    # One name for both: reverse() with [pk] gives the current version, with [pk, number] that one.
    path("checklists/<int:pk>/versions/", checklist_views.checklist_versions, name="checklist-versions"),
    path("checklists/<int:pk>/versions/<int:number>/", checklist_views.checklist_versions, name="checklist-versions"),
    # The items editor: the page of the declared "publish" action, at its address (settings and
    # copy are served by the kernel from their declarations).
    path("checklists/<int:pk>/publish/", checklist_views.checklist_publish, name="checklists-publish"),
    path("checklists/", include(resource_urls(CHECKLIST))),
    # Coverage, rates and monthly reports (before "monthly-reports/<pk>/" and the inspections' "<pk>/").
    path("coverage/", coverage_views.coverage_board, name="coverage"),
    path("rates/", coverage_views.rates, name="rates"),
    path("monthly-reports/submit/", report_views.monthly_report_submit, name="monthly-report-submit"),
    path("monthly-reports/", include(resource_urls(MONTHLY_REPORT))),
    path("patrol-rules/", include(resource_urls(PATROL_RULE))),
    # Running an inspection on a phone (before the resource's "<pk>/" so these words are not ids).
    path("start/", run_views.start, name="inspection-start"),
    path("start/enterprise/<int:pk>/", run_views.start, name="inspection-start-enterprise"),
    path("start/enterprise/<int:pk>/qr/", run_views.start_qr, name="inspection-start-qr"),
    path("mine/", run_views.mine, name="inspection-mine"),
    # One name for both: reverse() with [pk] gives the resume screen, with [pk, position] an item.
    path("<int:pk>/run/", run_views.run_item, name="inspection-run"),
    path("<int:pk>/run/<int:position>/", run_views.run_item, name="inspection-run"),
    path("<int:pk>/run/list/", run_views.run_list, name="inspection-run-list"),
    # Signing: the phone page of the declared "submit" action, at its address.
    path("<int:pk>/submit/", run_views.submit, name="inspections-submit"),
    path("", include(resource_urls(INSPECTION))),
]
