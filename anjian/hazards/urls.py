from anjian.core.views import resource_urls
from anjian.hazards.registry import HAZARD

app_name = "hazards"

urlpatterns = [
    *resource_urls(HAZARD),
]
