from django.urls import include, path

from anjian.core.registry_entries import REGION
from anjian.core.views import resource_urls

app_name = "core"

urlpatterns = [
    path("regions/", include(resource_urls(REGION))),
]
