"""The one enterprise picker: only enterprises in scope, at most 20 with a hint, radio buttons or
links as the page asks, and every page that picks an enterprise uses it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.enterprises.picker import PICKER_LIMIT, find_enterprises, picker
from anjian.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

PICKER = reverse("enterprises:picker")


def body(response) -> str:
    return response.content.decode()


def test_finds_by_name_or_credit_code_only_in_scope(world):
    a, b = world.enterprise_a, world.enterprise_b
    assert find_enterprises(world.town_admin_a, "有限公司") == ([a], False)  # never the other town's
    assert find_enterprises(world.town_admin_a, a.credit_code[:8].lower()) == ([a], False)
    assert find_enterprises(world.town_admin_a, b.credit_code) == ([], False)
    assert find_enterprises(world.district_admin, "有限公司") == ([a, b], False)
    assert find_enterprises(world.enterprise_admin_a, "有限公司") == ([a], False)
    assert find_enterprises(world.enterprise_admin_b, a.name) == ([], False)
    assert find_enterprises(world.district_admin, "") == ([], False)  # no text: nothing, unless browsing
    assert find_enterprises(world.district_admin, "", browse=True) == ([a, b], False)


def test_at_most_twenty_with_a_hint(client, world):
    for _ in range(PICKER_LIMIT + 1):
        EnterpriseFactory(region=world.regions["grid_a"])
    found, more = find_enterprises(world.town_admin_a, "有限公司")
    assert len(found) == PICKER_LIMIT and more
    client.force_login(world.town_admin_a)
    page = body(client.get(PICKER, {"q": "有限公司"}))
    assert page.count('type="radio"') == PICKER_LIMIT and 'id="enterprise-more"' in page


def test_the_fragment_gives_radio_buttons_of_the_named_input(client, world):
    client.force_login(world.town_admin_a)
    page = body(client.get(PICKER, {"q": "城厢"}))
    assert f'name="enterprise" value="{world.enterprise_a.pk}"' in page and "<html" not in page
    assert world.enterprise_b.name not in page
    page = body(client.get(PICKER, {"q": "城厢", "input": "target_enterprise"}))
    assert f'name="target_enterprise" value="{world.enterprise_a.pk}"' in page
    assert f'value="{world.enterprise_a.pk}"' not in body(client.get(PICKER, {"q": "沙溪"}))
    assert 'id="enterprise-none"' in body(client.get(PICKER, {"q": "沙溪"}))


def test_the_fragment_gives_links_to_the_named_page(client, world):
    client.force_login(world.platform_admin)
    a = world.enterprise_a.pk
    page = body(client.get(PICKER, {"q": "城厢", "link": "inspections:inspection-start-enterprise"}))
    assert f'href="/inspections/start/enterprise/{a}/"' in page
    page = body(client.get(PICKER, {"q": "城厢", "link": "inspections:inspection-start-enterprise", "kind": "x"}))
    assert f'href="/inspections/start/enterprise/{a}/?kind=x"' in page  # other parameters ride along
    page = body(client.get(PICKER, {"q": "城厢", "link": "risks:board"}))
    assert f'href="/risks/board/?enterprise={a}"' in page  # a page without a pk takes ?enterprise=


@pytest.mark.parametrize(
    "params",
    [
        {"q": "城厢", "link": "no-such-page"},
        {"q": "城厢", "link": "hazards:hazards-detail-missing"},
        {"q": "城厢", "link": "https://evil.example/"},
        {"q": "城厢", "input": '"><script>'},
        {"q": "城厢", "input": ""},
    ],
)
def test_bad_parameters_never_give_a_500(client, world, params):
    client.force_login(world.platform_admin)
    assert client.get(PICKER, params).status_code in {200, 404}


def test_anonymous_users_are_sent_to_sign_in(client, world):
    assert client.get(PICKER, {"q": "城厢"}).status_code == 302


def test_one_query_for_the_search(client, world, django_assert_max_num_queries):
    for _ in range(5):
        EnterpriseFactory(region=world.regions["grid_a"])
    with django_assert_max_num_queries(1):
        picked = picker(world.town_admin_a, "有限公司", link="risks:board")
    assert len(picked.choices) == 6 and all(c.href for c in picked.choices)
    assert [c.enterprise.region.name for c in picked.choices]  # region loaded with the search


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("hazards:report", {}),
        ("inspections:inspection-start", {"q": "城厢"}),
        ("risks:board", {}),
        ("risks:risk-import", {"q": "城厢"}),
        ("risks:dual-prevention-export", {"q": "城厢"}),
    ],
)
def test_every_page_that_picks_an_enterprise_uses_the_picker(client, world, page, params):
    from anjian.risks.models import InspectionPoint
    from anjian.risks.tests.factories import scope_object

    scope_object(InspectionPoint, world)  # the board picks among enterprises with a point
    client.force_login(world.platform_admin)
    response = client.get(reverse(page), params)
    assert response.status_code == 200
    templates = {t.name for t in response.templates}
    assert "enterprises/picker.html" in templates or 'hx-get="/enterprises/picker/"' in body(response), templates
    if params or page == "risks:board":
        assert world.enterprise_a.name in body(response)
