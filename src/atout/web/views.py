"""Site-wide pages: the list of processes, one's account, data sources, a process's journal (audit
log), and friendly error pages."""

from urllib.parse import urlencode

from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from atout.core import access
from atout.core.models import AuditEntry
from atout.engine.sources import SOURCES
from atout.processes.models import Process
from atout.processes.roles import role_in
from atout.territories.services import geography_loaded


@access.public
def home(request):
    processes = Process.objects.exclude(status=Process.Status.DRAFT).select_related("territory")
    return render(request, "web/home.html", {"processes": processes, "geography_loaded": geography_loaded()})


@access.participant
def account(request):
    roles = [(p, role_in(request.user, p)) for p in Process.objects.filter(roles__user=request.user).distinct()]
    return render(request, "web/account.html", {"roles": roles})


@access.public
def sources(request):
    return render(request, "web/sources.html", {"sources": SOURCES.values()})


def _error(request, status, title, text):
    return render(request, "web/error.html", {"status": status, "title": title, "text": text}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error(request, 400, _("Requête incorrecte"), _("La demande n'a pas pu être comprise. Vérifiez l'adresse ou le formulaire."))


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(request, 403, _("Accès refusé"), _("Votre compte n'a pas les droits nécessaires pour cette page."))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(request, 404, _("Page introuvable"), _("Cette page n'existe pas ou a été déplacée."))


@requires_csrf_token
def server_error(request):
    # Rendered without the request context: the failure may come from it.
    template = loader.get_template("web/error_500.html")
    return HttpResponseServerError(template.render({"title": _("Erreur interne"), "text": _(
        "Un problème est survenu de notre côté. L'équipe technique en est informée ; réessayez dans un instant.")}))


#: Entries per page of the journal.
JOURNAL_PAGE = 50


@access.team
def journal(request, slug):
    """The process's audit log: who changed what, when; filterable by user, action and object type."""
    entries = AuditEntry.objects.filter(process=request.process)
    usernames = sorted(set(entries.values_list("username", flat=True)))
    types = sorted(set(entries.values_list("object_type", flat=True)))

    def type_label(label: str) -> str:
        try:
            return str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):
            return label

    chosen = {key: request.GET.get(key, "") for key in ("user", "action", "type")}
    if chosen["user"]:
        entries = entries.filter(username=chosen["user"])
    if chosen["action"] in AuditEntry.Action.values:
        entries = entries.filter(action=chosen["action"])
    if chosen["type"]:
        entries = entries.filter(object_type=chosen["type"])
    page = Paginator(entries.order_by("-at", "-pk"), JOURNAL_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "web/journal.html", {
        "process": request.process, "page": page, "chosen": chosen, "query": query,
        "usernames": usernames, "actions": AuditEntry.Action.choices,
        "types": [(t, type_label(t)) for t in types],
        "rows": [(e, type_label(e.object_type)) for e in page.object_list],
    })
