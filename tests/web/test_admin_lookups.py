"""The admin's forms never list the 36,000 communes nor every account: each link to a territory or to a
user is an autocomplete.

The test database holds the real geography (every commune of France), so a form with a plain
<select> of territories would carry tens of thousands of <option>s and take tens of seconds to open;
accounts grow with participation (a national consultation has tens of thousands).
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from atout.actions.models import Action
from atout.territories.models import Territory

#: More options than this in one <select> means a large table is listed whole: the communes (36,000)
#: would be; the demo's accounts (about 900, simulated participants included) stay under it.
MAX_OPTIONS = 1000


def _largest_select(html: str) -> int:
    sizes = [block.count("<option") for block in re.findall(r"<select.*?</select>", html, flags=re.S)]
    return max(sizes, default=0)


def _links_to(model, target):
    fields = [f for f in model._meta.get_fields() if getattr(f, "related_model", None) is target
              and (f.many_to_one or f.many_to_many) and not f.auto_created]
    return [f.name for f in fields]


@pytest.mark.parametrize("target", [Territory, get_user_model()], ids=["territory", "account"])
def test_every_admin_link_to_a_territory_or_an_account_is_an_autocomplete(target):
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model is target:
            continue
        for name in _links_to(model, target):
            shown_as = (model_admin.autocomplete_fields, model_admin.raw_id_fields, model_admin.readonly_fields)
            if not any(name in fields for fields in shown_as):
                missing.append(f"{model._meta.label}.{name}")
    assert not missing, missing
    assert admin.site._registry[target].search_fields


@pytest.mark.parametrize("url_name", ["admin:actions_action_add", "admin:processes_process_add",
                                      "admin:strategy_swotitem_add", "admin:community_event_add"])
def test_add_forms_have_no_select_of_thousands(admin_client, url_name):
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        pytest.skip(f"{url_name} is not registered")
    response = admin_client.get(url)
    assert response.status_code == 200
    size = _largest_select(response.content.decode())
    assert size < MAX_OPTIONS, (url, size)


def test_every_add_form_renders_without_a_select_of_thousands(admin_client):
    assert Territory.objects.filter(level="commune").count() > 30000  # the real geography is there
    too_long = {}
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(_superuser_request(admin_client)):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        size = _largest_select(admin_client.get(url).content.decode())
        if size >= MAX_OPTIONS:
            too_long[url] = size
    assert not too_long, too_long


def test_change_forms_of_the_demo_have_no_select_of_thousands(admin_client, drome):
    action = Action.objects.filter(process=drome).exclude(subterritories=None).first()
    for url in (reverse("admin:processes_process_change", args=[drome.pk]),
                reverse("admin:actions_action_change", args=[action.pk])):
        response = admin_client.get(url)
        assert response.status_code == 200
        size = _largest_select(response.content.decode())
        assert size < MAX_OPTIONS, (url, size)


def test_territory_autocomplete_finds_a_commune_by_name(admin_client):
    url = reverse("admin:autocomplete")
    response = admin_client.get(url, {"term": "Dieulefit", "app_label": "actions", "model_name": "action",
                                      "field_name": "subterritories"})
    assert response.status_code == 200
    assert any("Dieulefit" in r["text"] for r in response.json()["results"])


def _superuser_request(client):
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.filter(is_superuser=True).first()
    return request
