"""The per-process menu: one line per entry, shown to the roles that may open it and to no one else.

Each line of :data:`MENU` reads (section, label, URL name, lowest role that may open the page). The
role is the one the view itself declares (``atout.core.access``); tests/processes/test_navigation.py
checks that both agree and that no entry leads to a 403. Whether a person sees an entry is decided by
:func:`may_open`, the same rule as the view's decorator (:func:`atout.processes.roles.has_role`), so the
menu never shows a link that would be refused.

Adding a page to the menu is one line in :data:`MENU`; its URL must take the process ``slug`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _

from .roles import ORDER, role_in


@dataclass(frozen=True)
class Entry:
    section: str
    label: str
    url_name: str
    role: str  # lowest role that may open it: public, participant, facilitator, team, admin
    #: Only once the process is published (not a draft): what a draft has not released yet.
    published_only: bool = False


#: Sections of the menu, in display order: key → title.
SECTIONS = {
    "home": _("La démarche"),
    "diagnostic": _("Diagnostic"),
    "participation": _("Participation"),
    "fieldwork": _("Terrain"),
    "strategy": _("Stratégie"),
    "actions": _("Plan d'actions"),
    "steering": _("Pilotage"),
}

MENU = [
    Entry("home", _("Accueil de la démarche"), "processes:home", "public"),
    Entry("home", _("Espace équipe : à traiter"), "processes:team", "team"),
    Entry("diagnostic", _("Portrait statistique"), "diagnostic:portrait", "public"),
    Entry("diagnostic", _("Synthèse pour les élus"), "diagnostic:summary", "public"),
    Entry("diagnostic", _("Indicateurs et cartes"), "diagnostic:indicators", "public"),
    Entry("diagnostic", _("Comparaison avec les autres départements"), "diagnostic:benchmark", "public"),
    Entry("diagnostic", _("Forces et faiblesses"), "diagnostic:findings", "public"),
    Entry("diagnostic", _("Boussole de l'attractivité"), "diagnostic:compass", "public"),
    Entry("diagnostic", _("Données ouvertes"), "opendata:package", "public", published_only=True),
    Entry("diagnostic", _("Importer des données"), "diagnostic:import", "team"),
    Entry("participation", _("Participer"), "community:participate", "public"),
    Entry("participation", _("Conversations"), "opinion:conversations", "public"),
    Entry("participation", _("Rencontres et ateliers"), "community:events", "public"),
    Entry("participation", _("Ambassadeurs"), "community:wall", "public"),
    Entry("participation", _("Ce que disent les habitants"), "fieldwork:public_themes", "public"),
    Entry("participation", _("Mes réponses aux enquêtes"), "consultation:mine", "participant"),
    Entry("participation", _("Enquêtes et résultats"), "consultation:list", "team"),
    Entry("participation", _("Nouvelle conversation"), "opinion:new", "team"),
    Entry("fieldwork", _("Séances et transcriptions"), "fieldwork:sessions", "facilitator"),
    Entry("fieldwork", _("Grille de codage"), "fieldwork:codebook", "facilitator"),
    Entry("fieldwork", _("Réponses ouvertes à coder"), "fieldwork:answers", "facilitator"),
    Entry("fieldwork", _("Analyse du codage"), "fieldwork:analysis", "facilitator"),
    Entry("fieldwork", _("Documents du territoire"), "fieldwork:documents", "facilitator"),
    Entry("fieldwork", _("Accord entre codeurs"), "fieldwork:agreement", "facilitator"),
    Entry("fieldwork", _("Contributions écrites"), "fieldwork:contributions", "team"),
    Entry("fieldwork", _("Thèmes"), "fieldwork:themes", "team"),
    Entry("strategy", _("Stratégie et axes"), "strategy:strategy", "public"),
    Entry("strategy", _("Atouts, faiblesses, opportunités, menaces"), "strategy:swot", "public"),
    Entry("strategy", _("Filières"), "sectors:list", "public"),
    Entry("strategy", _("Priorités"), "strategy:priorities", "public"),
    Entry("strategy", _("Preuves"), "strategy:evidence_list", "public"),
    Entry("strategy", _("Perception et réalité"), "strategy:perception", "team"),
    Entry("strategy", _("Positionnement et marque"), "strategy:positioning_edit", "team"),
    Entry("actions", _("Vous avez dit, nous avons fait"), "actions:accountability", "public"),
    Entry("actions", _("Suivi du plan d'actions"), "actions:dashboard", "team"),
    Entry("actions", _("Objectifs et indicateurs"), "actions:objectives", "team"),
    Entry("actions", _("Nouvelle action"), "actions:action_add", "team"),
    Entry("actions", _("Importer un plan d'actions"), "actions:import", "team"),
    Entry("steering", _("Acteurs du territoire"), "community:stakeholders", "team"),
    Entry("steering", _("Tableau de bord de l'engagement"), "community:dashboard", "team"),
    Entry("steering", _("Modération des récits"), "community:moderation", "team"),
    Entry("steering", _("Lettres d'information"), "community:newsletters", "team"),
    Entry("steering", _("La démarche : description et étapes"), "processes:edit", "team"),
    Entry("steering", _("Axes de la stratégie"), "processes:axes", "team"),
    Entry("steering", _("Équipe et invitations"), "processes:members", "team"),
    Entry("steering", _("Rapports"), "reports:index", "team"),
    Entry("steering", _("Journal des modifications"), "web:journal", "team"),
]


@lru_cache(maxsize=4096)
def _declared_access(url_name: str, kwargs_key: tuple) -> str:
    """The role the view behind ``url_name`` declares (``atout.core.access``); admin when undeclared."""
    match = resolve(reverse(url_name, kwargs=dict(kwargs_key)))
    return getattr(match.func, "access", "admin")


def declared_access(url_name: str, **kwargs) -> str:
    """The lowest role the view of ``url_name`` lets in. ``kwargs``: the URL's arguments (a sample
    value is enough: the access level does not depend on them)."""
    return _declared_access(url_name, tuple(sorted((k, str(v)) for k, v in kwargs.items())))


def role_of(request, process) -> str:
    """``role_in`` once per request and process (the menu and the page's links ask many times)."""
    cache = request.__dict__.setdefault("_atout_roles", {})
    key = process.pk if process is not None else None
    if key not in cache:
        cache[key] = role_in(request.user, process)
    return cache[key]


def allows(role: str, needed: str) -> bool:
    return ORDER.index(role) >= ORDER.index(needed)


def may_open(request, process, url_name: str, **kwargs) -> bool:
    """Whether the person of ``request`` may open the page ``url_name`` of ``process``: the rule of the
    view's own decorator. A page that does not exist (a URL name without a match) is never openable."""
    try:
        needed = declared_access(url_name, **kwargs)
    except NoReverseMatch:
        return False
    return allows(role_of(request, process), needed)


def menu_for(request, process) -> list[dict]:
    """The menu of ``process`` for the person of ``request``: sections in order, each with its
    entries ``{"label", "url", "current"}``; empty sections left out."""
    path = request.path
    sections: dict[str, list[dict]] = {key: [] for key in SECTIONS}
    for entry in MENU:
        if entry.published_only and process.status == process.Status.DRAFT:
            continue
        if not may_open(request, process, entry.url_name, slug=process.slug):
            continue
        url = reverse(entry.url_name, kwargs={"slug": process.slug})
        sections[entry.section].append({"label": entry.label, "url": url, "current": url == path})
    return [{"key": key, "title": SECTIONS[key], "entries": entries,
             "current": any(e["current"] for e in entries)} for key, entries in sections.items() if entries]
