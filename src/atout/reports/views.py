"""The team's reports page: list the reports of a process, start a generation, follow its progress,
download the file.

Access: team members of the process (and administrators) only. A diagnostic report gathers pages that
are public (portrait, indicators, compass, findings) with team-only material (survey tables, fieldwork
summary, the team's theme analysis), so the generated files are not public; the public reads the
diagnostic pages themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.core import access

from . import services
from .forms import ReportForm
from .models import Report

#: Seconds between automatic refreshes of a page while a report is being generated (no JavaScript).
REFRESH = 3


@access.team
def index(request, slug):
    process = request.process
    reports = Report.objects.filter(process=process).select_related("territory", "created_by")[:50]
    form = ReportForm(process=process)
    return render(request, "reports/index.html", {
        "process": process, "reports": reports, "form": form,
        "refresh": REFRESH if any(r.is_running for r in reports) else None,
    })


@access.team
@require_POST
def start(request, slug):
    process = request.process
    form = ReportForm(request.POST, process=process)
    if not form.is_valid():
        reports = Report.objects.filter(process=process).select_related("territory", "created_by")[:50]
        return render(request, "reports/index.html", {"process": process, "reports": reports, "form": form,
                                                      "refresh": None}, status=400)
    report = services.start(process, form.cleaned_data["kind"], territory=form.cleaned_data["subject"],
                            fmt=form.cleaned_data["format"], user=request.user, language=(get_language() or "fr")[:2])
    if report.status == Report.Status.FAILED:
        messages.error(request, _("La génération a échoué : %(message)s") % {"message": report.message})
    elif report.status == Report.Status.DONE:
        messages.success(request, _("Rapport prêt."))
    return redirect(report)


@access.team
def detail(request, slug, pk):
    report = get_object_or_404(Report.objects.select_related("territory", "created_by"), process=request.process, pk=pk)
    return render(request, "reports/detail.html", {
        "process": request.process, "report": report, "refresh": REFRESH if report.is_running else None,
    })


@access.team
def download(request, slug, pk):
    report = get_object_or_404(Report, process=request.process, pk=pk)
    path = report.path
    if report.status != Report.Status.DONE or path is None or not path.is_file():
        raise Http404(_("Ce rapport n'a pas de fichier."))
    inline = report.format == Report.Format.HTML and request.GET.get("telecharger") is None
    content_type = "application/pdf" if report.format == Report.Format.PDF else "text/html; charset=utf-8"
    return FileResponse(path.open("rb"), as_attachment=not inline, filename=report.filename, content_type=content_type)
