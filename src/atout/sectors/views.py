"""Filière pages: the list, a filière's page (definition, official figures, links), the team's form."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from atout.core import access
from atout.processes.roles import has_role

from . import services
from .forms import FiliereForm
from .models import Filiere


def _is_team(request) -> bool:
    return has_role(request.user, request.process, "team")


@access.public
def filieres(request, slug):
    process = request.process
    data, problem = services.sector_data(process)
    rows = [{"filiere": f, "naf": services.naf_rows(f.naf_codes), "figures": services.indicators(f, data, problem)}
            for f in Filiere.objects.filter(process=process)]
    return render(request, "sectors/list.html", {
        "process": process, "rows": rows, "team": _is_team(request), "problem": problem,
        "example": any(r["filiere"].example for r in rows),
    })


@access.public
def detail(request, slug, filiere):
    process = request.process
    item = get_object_or_404(Filiere, process=process, slug=filiere)
    team = _is_team(request)
    return render(request, "sectors/detail.html", {
        "process": process, "filiere": item, "team": team, "naf": services.naf_rows(item.naf_codes),
        "figures": services.indicators(item), **services.linked(item, team=team),
    })


def _form_page(request, instance: Filiere | None):
    process = request.process
    form = FiliereForm(request.POST or None, instance=instance, process=process)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Filière enregistrée."))
        return redirect(saved)
    return render(request, "sectors/form.html", {"process": process, "form": form, "filiere": instance},
                  status=400 if request.method == "POST" else 200)


@access.team
def create(request, slug):
    return _form_page(request, None)


@access.team
def edit(request, slug, filiere):
    return _form_page(request, get_object_or_404(Filiere, process=request.process, slug=filiere))
