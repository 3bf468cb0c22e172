"""The inspection module in the REST API: /api/v1/checklists/, /api/v1/inspections/,
/api/v1/monthly-reports/.

Lists, details and the declared actions (checklist ``publish`` / ``settings`` / ``copy``,
inspection ``submit``, report ``approve`` / ``return``) come from the registry entries, with the
same forms, rules and services as the pages. Out of scope answers 404 ``{"detail": "未找到"}``
exactly like missing; input the form, the schema or the service refuses is 400 with field errors
(``__all__`` for the state and the role).

One module per resource: ``checklists``, ``inspections``, ``monthly_reports``; this package
mounts their routers (``anjian.core.api.discover`` imports it).
"""

from anjian.core.api import api
from anjian.inspections.api import checklists, inspections, monthly_reports

api.add_router("/checklists/", checklists.router)
api.add_router("/inspections/", inspections.router)
api.add_router("/monthly-reports/", monthly_reports.router)
