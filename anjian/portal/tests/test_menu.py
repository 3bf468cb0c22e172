"""The menu and the workbenches come from the declarations in each app's registry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.core import menu


@pytest.fixture
def clean_menu(monkeypatch):
    """The declarations of the apps, plus whatever a test registers (dropped afterwards)."""
    monkeypatch.setattr(menu, "_groups", dict(menu._groups))
    monkeypatch.setattr(menu, "_entries", dict(menu._entries))
    monkeypatch.setattr(menu, "_widgets", dict(menu._widgets))


def test_the_menu_is_grouped_by_module_in_declared_order(world):
    groups = menu.visible_menu(world.district_admin)
    keys = [g.key for g in groups]
    assert keys[0] == "" and groups[0].entries[0].url == reverse("home")
    modules = [k for k in keys if k]
    assert modules[:5] == ["archive", "hazards", "inspections", "risks", "system"]
    hazards = next(g for g in groups if g.key == "hazards")
    assert [str(e.label) for e in hazards.entries] == ["隐患排查", "隐患统计"]


def test_a_module_with_several_entries_is_a_dropdown_and_the_current_page_is_marked(client, world):
    client.force_login(world.town_admin_a)
    html = client.get(reverse("hazards:hazard-stats")).content.decode()
    assert 'data-module="hazards"' in html and 'data-module="risks"' in html
    assert 'class="nav-link dropdown-toggle active"' in html  # the hazards module holds the page
    assert f'class="dropdown-item active" href="{reverse("hazards:hazard-stats")}"' in html
    # a module with one visible entry is a plain link
    assert 'data-module="archive"' not in html and f'href="{reverse("enterprises:enterprises-list")}"' in html


def test_an_app_adds_an_entry_with_a_per_user_url_and_a_predicate(clean_menu, client, world):
    menu.register_group(menu.MenuGroup("meetings", "会议", order=60))
    menu.register_entry(
        menu.MenuEntry("meetings.mine", "我的会议", lambda user: f"/meetings/{user.pk}/", group="meetings")
    )
    menu.register_entry(
        menu.MenuEntry(
            "meetings.all", "全部会议", "home", group="meetings", visible=lambda user: user.is_platform_admin
        )
    )
    town = {g.key: g for g in menu.visible_menu(world.town_admin_a)}
    assert [(str(e.label), e.url) for e in town["meetings"].entries] == [
        ("我的会议", f"/meetings/{world.town_admin_a.pk}/")
    ]
    admin = {g.key: g for g in menu.visible_menu(world.platform_admin)}
    assert len(admin["meetings"].entries) == 2
    client.force_login(world.town_admin_a)
    assert f"/meetings/{world.town_admin_a.pk}/" in client.get(reverse("home")).content.decode()


def test_an_entry_whose_url_is_not_mounted_is_left_out(clean_menu, world):
    menu.register_entry(menu.MenuEntry("ghost.list", "幽灵", "ghost:ghosts-list", group="ghost"))
    assert "ghost" not in {g.key for g in menu.visible_menu(world.platform_admin)}


def test_declarations_are_checked(clean_menu):
    entry = menu.MenuEntry("hazards.list", "别的", "home")
    with pytest.raises(ValueError):
        menu.register_entry(entry)  # the key is taken by another declaration
    with pytest.raises(ValueError):
        menu.register_widget(menu.HomeWidget("x.both", "x", template="a.html", url="home"))
    with pytest.raises(ValueError):
        menu.register_widget(menu.HomeWidget("x.none", "x"))


def test_a_fragment_widget_is_loaded_by_htmx_on_the_workbench_of_its_role(clean_menu, client, world):
    menu.register_widget(
        menu.HomeWidget(
            "test.fragment", "本月统计", url="hazards:summary", visible=lambda user: user.is_government, order=99
        )
    )
    client.force_login(world.grid_inspector_a)
    html = client.get(reverse("home")).content.decode()
    assert 'data-widget="test.fragment"' in html and f'hx-get="{reverse("hazards:summary")}"' in html
    assert "本月统计" in html
    client.force_login(world.enterprise_admin_a)
    assert 'data-widget="test.fragment"' not in client.get(reverse("home")).content.decode()


def test_workbench_widgets_come_in_declared_order(client, world):
    client.force_login(world.district_admin)
    html = client.get(reverse("home")).content.decode()
    assert html.index('id="home-hazards"') < html.index('id="enterprise-total"')
    client.force_login(world.enterprise_admin_a)
    html = client.get(reverse("home")).content.decode()
    assert html.index('id="home-report"') < html.index('id="home-mine"') < html.index("本企业档案")


def test_anonymous_users_get_no_menu_nor_widgets(client):
    from django.contrib.auth.models import AnonymousUser

    assert menu.visible_menu(AnonymousUser()) == [] and menu.visible_widgets(AnonymousUser()) == []
    assert client.get(reverse("home")).status_code == 302
