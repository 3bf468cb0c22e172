from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Installed only for its management command (``manage.py demo``); it has no models."""

    name = "anjian.demo"
    label = "demo"
    verbose_name = _("演示数据")
