from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from django.views.i18n import JavaScriptCatalog

from anjian.core import pages
from anjian.portal import views as portal_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", pages.signup, name="signup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("core/", include("anjian.core.urls")),
    path("inbox/", include("anjian.portal.urls")),
    # Every domain app (one with a registry) serves its pages under /<label>/.
    *[
        path(f"{config.label}/", include(f"{config.name}.urls"))
        for config in apps.get_app_configs()
        if config.label not in {"core", "portal"}
        and module_has_submodule(config.module, "registry")
        and module_has_submodule(config.module, "urls")
    ],
    path("api/v1/", include("anjian.core.api")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
