"""The team's barometer page: a survey's waves (add, open, close), two waves side by side with the
change and its significance, and each measure across the waves as a chart beside its table."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atout.core import access
from atout.engine.banks import notoriety

from .. import barometer, charts
from ..forms import WaveForm
from ..models import Wave
from .common import survey_or_404

#: Audiences of the notoriety bank, in French.
AUDIENCE_LABELS = {code: a.label_fr for code, a in notoriety.AUDIENCES.items()}
READINGS_FR = {"increase": "hausse significative", "decrease": "baisse significative", "stable": "stable",
               "suppressed": "trop peu de répondants", "no_data": "pas de réponse dans l'une des vagues"}


@access.team
def waves_page(request, slug, survey):
    found = survey_or_404(request, survey)
    form = WaveForm(survey=found)
    if request.method == "POST":
        outcome = _post(request, found)
        if outcome is None:
            return redirect("consultation:barometer", slug=slug, survey=survey)
        form = outcome
    waves = barometer.wave_rows(found)
    audience = request.GET.get("public") or ""
    if audience and (not found.barometer or audience not in AUDIENCE_LABELS):
        audience = ""
    comparison, trend, problem = _comparison(request, found, waves, audience)
    return render(request, "consultation/barometer.html", {
        "process": request.process, "survey": found, "waves": waves, "form": form, "comparison": comparison,
        "trend": trend, "problem": problem, "audiences": AUDIENCE_LABELS if found.barometer else {},
        "audience": audience, "simulated": any(w["simulated"] for w in waves),
    })


def _post(request, survey):
    """Add, open or close a wave; None when done (redirect), the invalid form otherwise."""
    action = request.POST.get("action")
    if action == "add":
        form = WaveForm(request.POST, survey=survey)
        if not form.is_valid():
            return form
        data = form.cleaned_data
        barometer.add_wave(survey, slug=data["wave"], label=data["label"], year=data["year"], start=data["start"],
                           end=data["end"])
        messages.success(request, _("Vague ajoutée."))
        return None
    wave = survey.waves.filter(slug=request.POST.get("wave", "")).first()
    if wave is None or action not in ("open", "close"):
        messages.error(request, _("Vague ou action inconnue."))
        return None
    try:
        if action == "open":
            barometer.open_wave(wave)
            messages.success(request, _("Vague « %(label)s » ouverte : le questionnaire reçoit des réponses.") % {"label": wave.label})
        else:
            report = barometer.close_wave(wave)
            messages.success(request, _("Vague « %(label)s » close : %(n)s réponses, %(k)s indicateurs de suivi mis à jour.")
                             % {"label": wave.label, "n": report["responses"], "k": len(report["kpis"])})
    except barometer.BarometerError:
        if action == "open":
            messages.error(request, _("Cette vague ne peut pas être ouverte : une autre vague est en cours, ou elle a déjà eu lieu."))
        else:
            messages.error(request, _("Seule une vague en cours peut être close."))
    return None


def _comparison(request, survey, waves, audience):
    """The two waves compared (chosen in the query, else the last two closed) and the trend charts."""
    closed = [w["slug"] for w in waves if w["status"] == Wave.Status.CLOSED]
    usable = [w["slug"] for w in waves if w["status"] != Wave.Status.PLANNED]
    first, second = request.GET.get("de"), request.GET.get("a")
    if not (first in usable and second in usable and first != second):
        if len(closed) < 2:
            return None, None, ""
        first, second = closed[-2], closed[-1]
    try:
        comparison = barometer.compare(survey, first, second, audience=audience or None)
        trend = barometer.trend(survey, audience=audience or None) if closed else None
    except barometer.BarometerError:
        return None, None, _("La comparaison n'a pas pu être calculée pour ces vagues.")
    for row in comparison["measures"]:
        row["reading_label"] = READINGS_FR.get(row["reading"], row["reading"])
        row["scale"] = 100 if row["kind"] == "proportion" else 1
    charts_by_measure = {}
    for row in (trend or {}).get("measures", []):
        charts_by_measure[row["measure"]] = charts.wave_chart(
            [{"label": p["label"], "value": p["value"], "low": p["low"], "high": p["high"]} for p in row["points"]],
            row["kind"])
    for row in comparison["measures"]:
        row["chart"] = charts_by_measure.get(row["measure"])
    return comparison, trend, ""
