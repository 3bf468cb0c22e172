from django.urls import path

from anjian.core.views import resource_urls
from anjian.enterprises import import_views, picker_views, views
from anjian.enterprises.registry import ENTERPRISE

app_name = "enterprises"

urlpatterns = [
    path("bind/<str:token>/", views.bind, name="bind"),
    path("bind-by-phone/", views.bind_by_phone, name="bind-by-phone"),
    path("bind-by-phone/code/", views.bind_by_phone_code, name="bind-by-phone-code"),
    # The binding QR code: the page of the declared "binding_code" action, at its address.
    path("<int:pk>/binding-code/", views.enterprise_binding_code, name="enterprises-binding-code"),
    path("picker/", picker_views.picker_view, name="picker"),
    path("import/", import_views.import_upload, name="enterprise-import"),
    path("import/template/", import_views.import_template, name="enterprise-import-template"),
    path("import/<uuid:token>/confirm/", import_views.import_confirm, name="enterprise-import-confirm"),
    *resource_urls(ENTERPRISE),
]
