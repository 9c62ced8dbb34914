"""The six filières of the Drôme approach (EXAMPLE definitions; figures from the official files).

The filières, their NAF codes and their links are an example of what a team would set up: they are
flagged ``example``. Every figure on their pages is computed from the official files in
``ATOUT_DATA_DIR``; where those files do not allow a figure (no file by NAF class offline, no Agence
Bio data), the page says so. The only figure written here is the tourist accommodation count of the
tourism filière, read from INSEE's file at demo time with its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from atout.actions.models import Action, Kpi
from atout.community.models import Organisation
from atout.engine.sources import SourceUnavailable, locate
from atout.strategy.models import Objective, SwotItem

from .models import Filiere

TOURISM_FILE = "indicators/insee/dossier_complet_light_dep26.csv"

#: slug → (name, NAF codes, definition, community sector code, pattern matching SWOT items, action codes)
FILIERES = [
    ("agriculture-biologique", "Agriculture biologique",
     ["01.1", "01.2", "01.4", "01.5"],
     "Exploitations de cultures et d'élevage. Le mode de production biologique n'est pas une activité de la "
     "nomenclature NAF : la filière est délimitée par les activités agricoles où il s'exerce, et sa part bio se "
     "mesure avec les données de l'Agence Bio.",
     "agriculture-biologique", r"\bbio(logique)?s?\b|agricult", []),
    ("cuir-luxe", "Cuir et luxe",
     ["15.11", "15.12", "15.20", "14.11"],
     "Tannerie, maroquinerie, chaussure et vêtements en cuir : le savoir-faire de Romans-sur-Isère.",
     "luxe-cuir", r"cuir|luxe|chaussure|maroquin", ["I1.1"]),
    ("nucleaire", "Nucléaire",
     ["24.46", "35.11", "38.22", "71.12"],
     "Élaboration et transformation des matières nucléaires, production d'électricité, traitement des déchets "
     "dangereux et ingénierie : l'ensemble industriel du Tricastin.",
     "nucleaire", r"nucl[ée]aire|tricastin", ["I1.2"]),
    ("agroalimentaire", "Agroalimentaire",
     ["10", "11"],
     "Industries alimentaires et fabrication de boissons.",
     "agroalimentaire", r"agro|alimentaire", []),
    ("tourisme-gastronomie", "Tourisme et gastronomie",
     ["55", "56", "79"],
     "Hébergement, restauration, agences de voyage et voyagistes.",
     "tourisme-gastronomie", r"touris|gastronom|visiteur", []),
    ("logistique", "Logistique",
     ["49.41", "52.10", "52.24", "52.29", "53.20"],
     "Transport routier de fret, entreposage, manutention, organisation des transports et messagerie le long de "
     "l'axe rhodanien.",
     "logistique", r"logisti|fret", []),
]

BIO_NOTE = ("La démarche présente la Drôme comme le premier département bio de France. La part des surfaces et des "
            "exploitations en bio (Agence Bio) n'est pas dans les fichiers hors ligne : à importer depuis le fichier "
            "officiel de l'Agence Bio pour en faire un indicateur.")


@dataclass
class SectorsDemo:
    filieres: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [f"{len(self.filieres)} filières (example definitions)", *self.notes]


def _tourism_highlight() -> str | None:
    """Tourist accommodation of the Drôme (INSEE, 1 January 2026), or None when the file is absent."""
    from atout.engine.formats.insee import read_insee

    try:
        path = locate(TOURISM_FILE, download=False)
    except SourceUnavailable:
        return None
    wide = read_insee(path).wide()
    counts = {column: int(wide[column].sum()) for column in ("HT26", "CPG26", "VV26", "RT26") if column in wide}
    if len(counts) < 4:
        return None
    return (f"Hébergement touristique au 1er janvier 2026 : {counts['HT26']} hôtels, {counts['CPG26']} campings, "
            f"{counts['VV26']} villages vacances et {counts['RT26']} résidences de tourisme (INSEE en partenariat "
            "avec la DGE et les CRT, dossier complet).")


def prepare(process) -> SectorsDemo:
    """Idempotent: the example filières are updated in place, their links set again."""
    report = SectorsDemo()
    tourism = _tourism_highlight()
    if tourism is None:
        report.notes.append(f"{TOURISM_FILE} missing: no accommodation count on the tourism filière")
    with transaction.atomic():
        for order, (slug, name, codes, description, sector, pattern, action_codes) in enumerate(FILIERES):
            highlights = {"agriculture-biologique": BIO_NOTE, "tourisme-gastronomie": tourism or ""}.get(slug, "")
            filiere, _created = Filiere.objects.update_or_create(process=process, slug=slug, defaults={
                "name": name, "naf_codes": codes, "description": description, "highlights": highlights,
                "order": order, "example": True})
            matcher = re.compile(pattern, re.IGNORECASE)
            filiere.organisations.set(Organisation.objects.filter(process=process, sector__code=sector))
            filiere.swot_items.set([s for s in SwotItem.objects.filter(process=process, subterritory=None)
                                    if matcher.search(s.title)])
            actions = list(Action.objects.filter(process=process, code__in=action_codes))
            filiere.actions.set(actions)
            objectives = Objective.objects.filter(process=process, actions__in=actions).distinct()
            filiere.objectives.set(objectives)
            filiere.kpis.set(Kpi.objects.filter(process=process, action__in=actions))
            report.filieres.append(slug)
    return report
