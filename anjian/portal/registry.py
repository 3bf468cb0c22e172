"""The portal's own menu entries: the home page, or the binding page of an account not yet bound."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core import menu

menu.register_entry(menu.MenuEntry("portal.home", _("首页"), "home", visible=menu.not_pending, order=0))
menu.register_entry(
    menu.MenuEntry("portal.bind", _("绑定企业"), "home", visible=lambda user: not menu.not_pending(user), order=0)
)
