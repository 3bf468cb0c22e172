from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "anjian.agencies"
    label = "agencies"
    verbose_name = _("服务机构")

    def ready(self) -> None:
        from anjian.agencies.selectors import contracted_enterprise_ids
        from anjian.core.scoping import register_agency_enterprises

        register_agency_enterprises(contracted_enterprise_ids)
