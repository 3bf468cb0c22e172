from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "anjian.portal"
    label = "portal"
    verbose_name = _("门户")

    def ready(self) -> None:
        from anjian.portal import registry  # noqa: F401
