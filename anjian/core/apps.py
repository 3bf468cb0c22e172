from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "anjian.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from anjian.core import registry_entries  # noqa: F401
        from anjian.core.jobs import autodiscover

        # Every app's jobs.py, so the worker (run_huey) knows all tasks and schedules.
        autodiscover()
