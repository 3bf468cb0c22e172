from django.urls import include, path

from anjian.core import attachments
from anjian.core.account_views import user_urls
from anjian.core.reference_views import reference_urls
from anjian.core.registry_entries import REGION
from anjian.core.views import resource_urls

app_name = "core"

urlpatterns = [
    path("regions/", include(resource_urls(REGION))),
    path("users/", include(user_urls())),
    path("attachments/", attachments.attachment_upload, name="attachment-add"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment-download"),
    path("reference/", include(reference_urls())),
]
