from django.urls import path

from anjian.portal import inbox

app_name = "portal"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("read-all/", inbox.inbox_read_all, name="inbox-read-all"),
    path("<int:pk>/read/", inbox.inbox_read, name="inbox-read"),
]
