from anjian.core.views import resource_urls
from tests.kernel_app.registry import ORDER

app_name = "kernel_app"
urlpatterns = resource_urls(ORDER)
