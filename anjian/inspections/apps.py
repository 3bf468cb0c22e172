from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "anjian.inspections"
    label = "inspections"
    verbose_name = _("检查与体检卡")

    def ready(self) -> None:
        from anjian.inspections import registry  # noqa: F401
