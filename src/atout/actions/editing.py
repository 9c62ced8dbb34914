"""The team edits its strategy's objectives, its actions and their KPIs in the product (not the admin).

Changes are made in requests by a team member, so the audit journal (:mod:`atout.core.audit`) records
each one with its author; a form with an error changes nothing and says which field is wrong.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from atout.core import access
from atout.diagnostic.models import Indicator
from atout.strategy.models import Objective
from atout.territories.services import search_within

from .forms import ActionForm, KpiForm, ObjectiveForm, PlaceSearchForm
from .models import Action, Kpi


@access.team
def objectives(request, slug):
    """The objectives of the strategy, each with its link to edit it, and the form for a new one."""
    process = request.process
    form = ObjectiveForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        objective = form.save(commit=False)
        objective.process = process
        objective.save()
        messages.success(request, _("Objectif ajouté."))
        return redirect("actions:objectives", slug=slug)
    rows = (Objective.objects.filter(process=process).select_related("axis", "orientation")
            .prefetch_related("kpis").order_by("order", "code"))
    return render(request, "actions/objectives.html", {"process": process, "objectives": rows, "form": form},
                  status=400 if form.errors else 200)


@access.team
def objective_edit(request, slug, code):
    process = request.process
    objective = get_object_or_404(Objective, process=process, code=code)
    form = ObjectiveForm(request.POST or None, instance=objective, process=process)
    kpi_form = KpiForm(process=process)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Objectif enregistré."))
        return redirect("actions:objectives", slug=slug)
    return render(request, "actions/objective_edit.html", {
        "process": process, "objective": objective, "form": form, "kpi_form": kpi_form,
        "kpis": objective.kpis.all(),
    }, status=400 if form.errors else 200)


@access.team
def objective_kpi_add(request, slug, code):
    """A KPI followed for an objective (the unemployment objective tracked by the unemployment rate…)."""
    process = request.process
    objective = get_object_or_404(Objective, process=process, code=code)
    form = KpiForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        kpi = form.save(commit=False)
        kpi.process, kpi.objective = process, objective
        _default_label(kpi)
        kpi.save()
        messages.success(request, _("Indicateur de suivi ajouté."))
        return redirect("actions:objective_edit", slug=slug, code=code)
    return render(request, "actions/objective_edit.html", {
        "process": process, "objective": objective, "form": ObjectiveForm(instance=objective, process=process),
        "kpi_form": form, "kpis": objective.kpis.all(),
    }, status=400 if form.errors else 200)


def _default_label(kpi: Kpi) -> None:
    if not kpi.label:
        indicator = Indicator.objects.get(code=kpi.indicator)
        kpi.label, kpi.unit = indicator.label_fr, kpi.unit or indicator.unit


def _search(request, process):
    """The place search of the action form (a GET form: it works without JavaScript)."""
    search = PlaceSearchForm(request.GET or None)
    found = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"]:
        found = search_within(process.territory, search.cleaned_data["q"])
    return search, found


@access.team
def action_add(request, slug):
    process = request.process
    search, found = _search(request, process)
    form = ActionForm(request.POST or None, process=process, found=found)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save(commit=False)
            item.process = process
            item.order = (process.actions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
            item.save()
            form.save_m2m()
        messages.success(request, _("Action ajoutée."))
        return redirect(item)
    return render(request, "actions/action_form.html", {
        "process": process, "form": form, "search": search, "found": found, "item": None,
    }, status=400 if form.errors else 200)


@access.team
def action_edit(request, slug, code):
    process = request.process
    item = get_object_or_404(Action, process=process, code=code)
    search, found = _search(request, process)
    form = ActionForm(request.POST or None, instance=item, process=process, found=found)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Action enregistrée."))
        return redirect(item)
    return render(request, "actions/action_form.html", {
        "process": process, "form": form, "search": search, "found": found, "item": item,
    }, status=400 if form.errors else 200)


@access.team
def kpi_edit(request, slug, pk):
    """Label, baseline, target and their years: the trajectory runs between the two."""
    process = request.process
    kpi = get_object_or_404(Kpi.objects.select_related("action", "objective"), pk=pk, process=process)
    form = KpiForm(request.POST or None, instance=kpi, process=process)
    if request.method == "POST" and form.is_valid():
        kpi = form.save(commit=False)
        _default_label(kpi)
        kpi.save()
        messages.success(request, _("Indicateur de suivi enregistré."))
        return redirect(_kpi_home(kpi))
    return render(request, "actions/kpi_form.html", {"process": process, "kpi": kpi, "form": form,
                                                     "back": _kpi_home(kpi)},
                  status=400 if form.errors else 200)


def _kpi_home(kpi: Kpi) -> str:
    if kpi.action_id:
        return kpi.action.get_absolute_url() + "#indicateurs"
    return reverse("actions:objective_edit", kwargs={"slug": kpi.process.slug, "code": kpi.objective.code})
