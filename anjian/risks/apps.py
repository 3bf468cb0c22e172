from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "anjian.risks"
    label = "risks"
    verbose_name = _("风险分级管控")

    def ready(self) -> None:
        from anjian.risks import registry  # noqa: F401
