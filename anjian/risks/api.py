"""Risk grading control (风险分级管控) in the REST API: /api/v1/risk-points/, /inspection-points/,
/point-checks/, /site-plans/, /risk-reviews/, one module per resource (``api_points``,
``api_inspection``, ``api_plans``, ``api_reviews``); ``anjian.core.api.discover`` imports this one,
which mounts them.

Lists and details come from the registry entries (same scope, filters, search and sort as the
list pages). What one does to a risk point or a site plan is a declared action of the registry:
``POST /<slug>/{pk}/<name>/`` takes the very form of the page (flat fields) and answers the
record. Every write calls ``anjian.risks.services``, so the API keeps exactly the rules of the
pages: only the enterprise's own safety staff (or its contracted agency) may write; government
supervises and reads (a write is 400 with the reason under ``__all__``). Anything outside the
user's scope is 404 ``{"detail": "未找到"}`` exactly like a missing record.

A record of the chain (event, measure, task, zone) is named in the body, not in the path, and must
belong to the risk point or plan of the path (else 400 on that field).
"""

from anjian.core.api import api
from anjian.risks.api_inspection import board_router, inspection_points, point_checks
from anjian.risks.api_plans import site_plans
from anjian.risks.api_points import risk_points
from anjian.risks.api_reviews import risk_reviews

api.add_router("/risk-points/", risk_points)
api.add_router("/inspection-points/board/", board_router)  # before /inspection-points/{pk}/
api.add_router("/inspection-points/", inspection_points)
api.add_router("/point-checks/", point_checks)
api.add_router("/site-plans/", site_plans)
api.add_router("/risk-reviews/", risk_reviews)
