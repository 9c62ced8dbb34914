"""What the territory's portrait shows, shared by the diagnostic pages and the reports: the key figures
in order, the OECD domains' names and where each figure comes from."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

#: Key figures of the portrait, in order.
PORTRAIT = ["population", "density", "population_growth", "migratory_balance_rate", "share_75_plus",
            "unemployment_rate", "jobs", "median_income", "poverty_rate", "second_home_share", "vacancy_rate",
            "business_creation_rate", "tourist_accommodation"]
#: The levels an indicator's map can show.
MAP_LEVELS = {
    "commune": gettext_lazy("Communes"),
    "epci": gettext_lazy("EPCI"),
    "zone": gettext_lazy("Sous-territoires"),
    "departement": gettext_lazy("Départements de France"),
}
#: The OECD regional attractiveness domains (OECD 2023), as the catalogue codes them.
DOMAIN_LABELS = {
    "economic_attractiveness": gettext_lazy("Attractivité économique"),
    "connectedness": gettext_lazy("Connectivité"),
    "visitor_appeal": gettext_lazy("Attrait pour les visiteurs"),
    "natural_environment": gettext_lazy("Environnement naturel"),
    "resident_well_being": gettext_lazy("Bien-être des habitants"),
    "land_use_housing": gettext_lazy("Foncier et logement"),
}
#: Where a figure comes from, as the pages and reports say it.
ORIGINS = {
    "imported": gettext_lazy("valeur importée"),
    "observed": gettext_lazy("valeur de la commune"),
    "aggregated": gettext_lazy("agrégée des communes"),
    "published": gettext_lazy("valeur publiée"),
    "partial aggregate": gettext_lazy("agrégat partiel des communes"),
    "missing": gettext_lazy("non disponible"),
}
