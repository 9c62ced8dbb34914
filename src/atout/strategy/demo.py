"""The Drôme demo's perception vs reality and its SWOT proposals from the survey and from themes.

Runs after the survey, fieldwork and example-strategy steps: it stores the demo's perception mapping
(``data/perception-drome.yaml``), analyses the themes of the (SIMULATED) open answers of the perception
survey, then proposes SWOT items from the perception survey's results and from those themes, each with
its evidence. The example team accepts the whole-territory proposals; the sub-territory ones stay
"proposed" for the team to curate. Divergent rows of the perception table become evidence too.
Idempotent: running it again updates the same items and evidence.

It also maps the example orientations to the compass's pillars and gives them SIMULATED stakeholder
priorities (:func:`simulated_priorities`): simulated community accounts spread 100 points and rank the
orientations, with preferences that differ by declared profile, so the priorities page and the compass
weighted by priorities show something. Every such response is flagged ``simulated`` and shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from atout.community.demo import USER_PREFIX
from atout.consultation.demo import SLUG
from atout.consultation.models import Survey
from atout.fieldwork.models import ThemeRun

from .models import SwotItem

THEMES_LABEL = "Réponses libres de l'enquête perception (données simulées)"


@dataclass
class DemoReport:
    notes: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        return self.notes


def prepare(process) -> DemoReport:
    from . import perception, services

    report = DemoReport()
    perception.install_demo(process)
    survey = Survey.objects.filter(process=process, slug=SLUG).first()
    items: list[SwotItem] = []
    if survey is not None:
        items += services.propose_from_survey(process, survey)
        table = perception.perception_table(process)
        for item in table["items"]:
            for row in item["zones"]:
                if row["flag"] in ("perception_worse", "perception_better"):
                    perception.evidence_from_row(process, table, item["key"], row["zone"])
        run = _theme_run(process, survey)
        if run is not None:
            items += services.propose_from_themes(process, run)
    else:
        report.notes.append("no perception survey: no SWOT proposal from survey results or themes")
    ids = [i.pk for i in items]
    SwotItem.objects.filter(pk__in=ids).update(example=True)
    # The example team accepts what holds for the whole territory; zone proposals await curation.
    SwotItem.objects.filter(pk__in=ids, subterritory=None, status=SwotItem.Status.PROPOSED).update(
        status=SwotItem.Status.ACCEPTED)
    report.notes.append(f"{len(ids)} SWOT proposals from the survey and themes")
    report.notes.append(simulated_priorities(process))
    return report


#: Example orientation title → the compass pillar (OECD domain) it serves.
ORIENTATION_PILLARS = {
    "Attirer et retenir les actifs et les talents": "economic_attractiveness",
    "Des services et un logement accessibles partout": "resident_well_being",
    "Valoriser l'industrie, les savoir-faire et les mobilités douces": "connectedness",
}

#: Simulated respondents per declared profile ("" = no profile) and their mean preference per orientation
#: (in ORIENTATION_PILLARS order): residents favour services and housing, business leaders talents and
#: industry, young people housing and soft mobility. The elected officials (6) stay under the small-cell
#: threshold, so their row is hidden.
PRIORITY_PROFILES = {
    "resident": (120, (0.25, 0.55, 0.20)),
    "young": (40, (0.30, 0.35, 0.35)),
    "business": (14, (0.55, 0.10, 0.35)),
    "elected": (6, (0.40, 0.30, 0.30)),
    "": (20, (0.33, 0.34, 0.33)),
}


def simulated_priorities(process, *, seed: int = 2026) -> str:
    """Map the example orientations to pillars, then replace the simulated allocations and rankings by new
    ones from simulated community accounts (Dirichlet draws around each profile's preference; the ranking
    follows the points, ties broken at random). The process offers both modes."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from .models import Allocation, Orientation, PrioritisationSettings, Ranking
    from .services import record_allocation, record_ranking

    orientations = list(Orientation.objects.filter(process=process, title__in=ORIENTATION_PILLARS))
    orientations.sort(key=lambda o: list(ORIENTATION_PILLARS).index(o.title))
    if len(orientations) != len(ORIENTATION_PILLARS):
        return "no example orientations: no simulated priorities"
    users = list(get_user_model().objects.filter(username__startswith=USER_PREFIX).order_by("username"))
    needed = sum(n for n, _p in PRIORITY_PROFILES.values())
    if len(users) < needed:
        return f"{len(users)} simulated accounts (need {needed}): no simulated priorities"
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        for orientation in orientations:
            orientation.domain = ORIENTATION_PILLARS[orientation.title]
            orientation.save(update_fields=["domain"])
        PrioritisationSettings.objects.update_or_create(process=process, defaults={"mode": "both"})
        Allocation.objects.filter(process=process, simulated=True).delete()
        Ranking.objects.filter(process=process, simulated=True).delete()
        start = 0
        for segment, (count, preference) in PRIORITY_PROFILES.items():
            for user in users[start:start + count]:
                draw = rng.dirichlet(np.array(preference) * 12)
                points = _hundred(draw)
                record_allocation(process, user, dict(zip(orientations, points, strict=True)), segment, simulated=True)
                order = sorted(range(len(points)), key=lambda i: (-draw[i], rng.random()))
                ranks = {orientations[i]: position + 1 for position, i in enumerate(order)}
                record_ranking(process, user, ranks, segment, simulated=True)
            start += count
    return f"{needed} simulated stakeholder allocations and rankings"


def _hundred(shares) -> list[int]:
    """Integer points summing to exactly 100 (largest remainders)."""
    raw = [s * 100 for s in shares]
    points = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - points[i], reverse=True)[:100 - sum(points)]:
        points[i] += 1
    return points


def _theme_run(process, survey):
    """Themes of the perception survey's open answers (not the Lille example), made once."""
    from .services import survey_theme_run

    found = ThemeRun.objects.filter(process=process, label=THEMES_LABEL, status=ThemeRun.Status.DONE).first()
    if found is not None:  # same seed, same answers: keep it, so its evidence and SWOT items stay the same
        return found
    ThemeRun.objects.filter(process=process, label=THEMES_LABEL).delete()
    run = survey_theme_run(process, survey, ["attractive", "freins"], label=THEMES_LABEL)
    if run.status != ThemeRun.Status.DONE:
        return None
    run.published = True
    run.save(update_fields=["published"])
    return run
