from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "anjian.hazards"
    label = "hazards"
    verbose_name = _("隐患排查治理")

    def ready(self) -> None:
        from anjian.enterprises.hooks import on_enterprise_moved
        from anjian.hazards import registry  # noqa: F401
        from anjian.hazards.services import hazards_follow_enterprise

        on_enterprise_moved(lambda enterprise: hazards_follow_enterprise(enterprise=enterprise))
