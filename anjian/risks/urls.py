from anjian.core.views import resource_urls
from anjian.risks.registry import RISK_POINT

app_name = "risks"

urlpatterns = [*resource_urls(RISK_POINT)]
