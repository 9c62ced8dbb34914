"""The team's follow-up forms on an action page: milestones, KPIs and their yearly measurements.

Each form posts to its own view and comes back to the action page; errors are shown there, each naming
its field. Everything here is for the process's team (the public sees the results on the same page).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.core import access
from atout.diagnostic.models import Indicator

from . import services
from .forms import KpiForm, MeasurementForm, MilestoneForm, apply_measure
from .kpis import refresh_kpi
from .models import Action, Kpi, KpiSource, Milestone


def _report_errors(request, form) -> None:
    messages.error(request, "; ".join(
        f"{form.fields[name].label if name in form.fields else _('Formulaire')} : {error}"
        for name, errors in form.errors.items() for error in errors))


@access.team
@require_POST
def milestone_add(request, slug, code):
    item = get_object_or_404(Action, process=request.process, code=code)
    form = MilestoneForm(request.POST, process=request.process)
    if form.is_valid():
        milestone = form.save(commit=False)
        milestone.action = item
        milestone.save()
        messages.success(request, _("Jalon ajouté."))
    else:
        _report_errors(request, form)
    return redirect(item.get_absolute_url() + "#jalons")


@access.team
@require_POST
def milestone_change(request, slug, pk):
    """Mark a milestone reached or not, or delete it (button ``delete``)."""
    milestone = get_object_or_404(Milestone.objects.select_related("action"), pk=pk, action__process=request.process)
    if "delete" in request.POST:
        milestone.delete()
        messages.success(request, _("Jalon supprimé."))
    else:
        milestone.done = request.POST.get("done") == "1"
        milestone.save(update_fields=["done"])
        messages.success(request, _("Jalon mis à jour."))
    return redirect(milestone.action.get_absolute_url() + "#jalons")


@access.team
@require_POST
def kpi_add(request, slug, code):
    item = get_object_or_404(Action, process=request.process, code=code)
    form = KpiForm(request.POST, process=request.process)
    if form.is_valid():
        kpi = form.save(commit=False)
        kpi.process, kpi.action = request.process, item
        if form.cleaned_data["measure"]:
            label = apply_measure(kpi, form.cleaned_data["measure"])
            kpi.label = kpi.label or label
        elif not kpi.label:
            indicator = Indicator.objects.get(code=kpi.indicator)
            kpi.label, kpi.unit = indicator.label_fr, kpi.unit or indicator.unit
        kpi.save()
        if kpi.source != KpiSource.INDICATOR:
            refresh_kpi(kpi)  # its values so far (closed waves, participation)
        messages.success(request, _("Indicateur de suivi ajouté."))
    else:
        _report_errors(request, form)
    return redirect(item.get_absolute_url() + "#indicateurs")


@access.team
@require_POST
def kpi_delete(request, slug, pk):
    kpi = get_object_or_404(Kpi.objects.select_related("action"), pk=pk, process=request.process)
    target = kpi.action.get_absolute_url() + "#indicateurs" if kpi.action else request.process.get_absolute_url()
    kpi.delete()
    messages.success(request, _("Indicateur de suivi supprimé."))
    return redirect(target)


@access.team
@require_POST
def measurement_add(request, slug, pk):
    """Record the KPI's value for a year (replacing that year's value if there was one)."""
    kpi = get_object_or_404(Kpi.objects.select_related("action"), pk=pk, process=request.process)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        _measurement, created = services.record_measurement(kpi, **form.cleaned_data)
        messages.success(request, _("Mesure enregistrée.") if created else _("Mesure de cette année remplacée."))
    else:
        _report_errors(request, form)
    target = kpi.action.get_absolute_url() if kpi.action else request.process.get_absolute_url()
    return redirect(target + "#indicateurs")
