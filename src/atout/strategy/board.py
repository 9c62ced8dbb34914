"""The SWOT board as a deliverable: the four quadrants with their grouped items and the evidence behind each,
curation of many items at once, and the DOCX/ODT export (:mod:`atout.engine.formats.swotdoc`).

The page, the API-less download and ``atout swot export`` all read :func:`board`, so the file says what the
page shows: the public (and the export) see the retained items and their public evidence only.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atout.consultation.services import is_public_result
from atout.engine.formats import swotdoc
from atout.engine.sourcewords import source_words

from .models import Evidence, EvidenceLink, SwotItem, sort_key

#: The quadrants in reading order, as the board and the documents title them.
QUADRANTS = [
    (SwotItem.Kind.STRENGTH, gettext_lazy("Atouts")),
    (SwotItem.Kind.WEAKNESS, gettext_lazy("Faiblesses")),
    (SwotItem.Kind.OPPORTUNITY, gettext_lazy("Opportunités")),
    (SwotItem.Kind.THREAT, gettext_lazy("Menaces")),
]

#: Bulk decisions on the selected items.
ACTIONS = [
    ("keep", gettext_lazy("Retenir")),
    ("discard", gettext_lazy("Écarter")),
    ("propose", gettext_lazy("Remettre à examiner")),
    ("move", gettext_lazy("Déplacer vers le quadrant…")),
    ("merge", gettext_lazy("Fusionner en un seul élément")),
]


class CurationError(ValueError):
    """A bulk decision that cannot be applied; nothing was changed."""


def board(process, *, team: bool, zone: str = "", rejected: bool = False) -> list[dict]:
    """The quadrants: ``[{"kind", "label", "items": [{"item", "places", "evidence": [...]}]}]``.

    The public sees the retained items; the team also the proposals (and, with ``rejected``, the discarded
    ones). ``zone``: only what holds for the whole territory or for that sub-territory. Each evidence row is
    ``{"evidence", "line", "url" (its page), "source_url" (the indicator, survey results, theme or
    conversation it comes from, when the reader may open it)}``; the public sees public evidence only.
    """
    items = SwotItem.objects.filter(process=process).select_related("axis", "process__territory").prefetch_related(
        "subterritories")
    if not team:
        items = items.filter(status=SwotItem.Status.ACCEPTED)
    else:
        shown = [SwotItem.Status.ACCEPTED, SwotItem.Status.PROPOSED] + ([SwotItem.Status.REJECTED] if rejected else [])
        items = items.filter(status__in=shown)
    if zone:
        items = items.filter(Q(subterritories__code=zone) | Q(whole_territory=True)).distinct()
    items = list(items)
    evidence = _evidence_by_item(items, public_only=not team)
    quadrants = {kind: [] for kind, _label in QUADRANTS}
    for item in sorted(items, key=lambda i: (i.status != SwotItem.Status.ACCEPTED, sort_key(i.title))):
        rows = [{"evidence": e, "line": evidence_line(e), "url": e.get_absolute_url(),
                 "source_url": source_url(e, team=team)} for e in evidence.get(item.pk, [])]
        quadrants[item.kind].append({"item": item, "places": item.places(), "evidence": rows})
    return [{"kind": kind, "label": label, "items": quadrants[kind]} for kind, label in QUADRANTS]


def _evidence_by_item(items: list[SwotItem], *, public_only: bool) -> dict[int, list]:
    """{item id: [evidence]} in one query (not one per item)."""
    links = EvidenceLink.objects.filter(target_type=ContentType.objects.get_for_model(SwotItem),
                                        target_id__in=[i.pk for i in items]).select_related("evidence__process")
    if public_only:
        links = links.filter(evidence__public=True)
    found: dict[int, list] = {}
    for link in links.order_by("evidence__kind", "evidence__title"):
        found.setdefault(link.target_id, []).append(link.evidence)
    return found


def _number(value, digits: int = 1) -> str:
    return formats.number_format(round(value, digits), decimal_pos=None, use_l10n=True)


def evidence_line(evidence) -> str:
    """The evidence in one French sentence: what, the figure (with n and margin), the source and vintage."""
    parts = [f"{evidence.get_kind_display()} — {evidence.title}"]
    if evidence.value is not None:
        figure = f"{_number(evidence.value)} {evidence.unit}".strip()
        if evidence.margin is not None:
            figure += f" (± {_number(evidence.margin)})"
        if evidence.n is not None:
            figure += f", n = {evidence.n}"
        parts.append(figure)
    source = source_words(evidence.source, evidence.vintage)
    parts.append(_("source : %(source)s") % {"source": source})
    if evidence.simulated:
        parts.append(_("données simulées"))
    return " ; ".join(parts)


def source_url(evidence, *, team: bool) -> str:
    """Where the evidence comes from, when the reader may open it: the indicator page of a statistical
    finding, the results of a survey (the team's page, or the public one once the results are public),
    a theme or a conversation; "" otherwise (its own page then says everything known)."""
    slug = evidence.process.slug
    try:
        if evidence.kind == Evidence.Kind.FINDING and evidence.key.startswith("finding:"):
            return reverse("diagnostic:indicator", kwargs={"slug": slug, "code": evidence.key.rsplit(":", 1)[-1]})
        if evidence.kind == Evidence.Kind.SURVEY and evidence.origin is not None:
            survey = evidence.origin
            if team:
                return reverse("consultation:results", kwargs={"slug": slug, "survey": survey.slug})
            if is_public_result(survey):
                return reverse("consultation:public_results", kwargs={"slug": slug, "survey": survey.slug})
            return ""
        if (evidence.kind in (Evidence.Kind.THEME, Evidence.Kind.EXCERPT, Evidence.Kind.PERCEPTION,
                              Evidence.Kind.DOCUMENT) and not team):
            return ""  # the fieldwork (documents included) and perception pages are the team's
        return evidence.origin_url()
    except NoReverseMatch:
        return ""


# ------------------------------------------------------------------------------------------- curation

@transaction.atomic
def curate(process, ids: list[int], action: str, *, kind: str = "", title: str = "") -> list[SwotItem]:
    """Apply one decision to the selected items of ``process``: keep (retain), discard, propose (back to
    examination), move to quadrant ``kind``, or merge them into one (the retained one, else the oldest;
    ``title`` renames it). All or nothing: a :class:`CurationError` names the problem and changes nothing.
    Returns the items changed (for a merge: the item that remains)."""
    items = list(SwotItem.objects.filter(process=process, pk__in=ids).exclude(status=SwotItem.Status.MERGED)
                 .order_by("pk"))
    missing = sorted(set(ids) - {i.pk for i in items})
    if not ids:
        raise CurationError(_("Cochez au moins un élément."))
    if missing:
        raise CurationError(_("Élément(s) introuvable(s) ou déjà fusionné(s) : n° %(ids)s.")
                            % {"ids": ", ".join(map(str, missing))})
    if action in ("keep", "discard", "propose"):
        status = {"keep": SwotItem.Status.ACCEPTED, "discard": SwotItem.Status.REJECTED,
                  "propose": SwotItem.Status.PROPOSED}[action]
        for item in items:
            item.status = status
            item.save(update_fields=["status"])
        return items
    if action == "move":
        if kind not in SwotItem.Kind.values:
            raise CurationError(_("Choisissez le quadrant vers lequel déplacer les éléments."))
        for item in items:
            item.kind = kind
            item.save(update_fields=["kind"])
        return items
    if action == "merge":
        if len(items) < 2:
            raise CurationError(_("Cochez au moins deux éléments à fusionner."))
        into = min(items, key=lambda i: (i.status != SwotItem.Status.ACCEPTED, i.pk))
        for item in items:
            if item.pk != into.pk:
                merge(item, into)
        into.refresh_from_db()
        if title.strip():
            into.title = title.strip()[:300]
        into.status = SwotItem.Status.ACCEPTED
        into.save(update_fields=["title", "status"])
        return [into]
    raise CurationError(_("Décision inconnue : %(action)s.") % {"action": action})


def merge(item: SwotItem, into: SwotItem) -> None:
    """Merge ``item`` into ``into``: its evidence and places move over; it is kept, marked merged, for the record."""
    for evidence in item.linked_evidence():
        into.link_evidence(evidence)
    into.subterritories.add(*item.subterritories.all())
    if item.whole_territory and not into.whole_territory:
        into.whole_territory = True
        into.save(update_fields=["whole_territory"])
    item.status = SwotItem.Status.MERGED
    item.merged_into = into
    item.save(update_fields=["status", "merged_into"])


# ------------------------------------------------------------------------------------------ documents

def document(process) -> swotdoc.SwotDocument:
    """The retained SWOT (what the public board shows) as a document: items, places, public evidence."""
    today = formats.date_format(timezone.localdate(), "j F Y")
    quadrants = []
    for column in board(process, team=False):
        entries = [swotdoc.SwotEntry(title=row["item"].title, places=row["places"], description=row["item"].description,
                                     evidence=[e["line"] for e in row["evidence"]]) for row in column["items"]]
        quadrants.append(swotdoc.SwotQuadrant(label=str(column["label"]), entries=entries))
    return swotdoc.SwotDocument(
        title=_("Atouts, faiblesses, opportunités, menaces — %(process)s") % {"process": process.title},
        subtitle=_("%(territory)s. Éléments retenus par l'équipe au %(date)s, avec les preuves qui les appuient.")
        % {"territory": process.territory.name, "date": today},
        quadrants=quadrants, empty=_("Aucun élément retenu."), places_label=_("Territoires"),
        evidence_label=_("Preuve"))


def export(process, fmt: str) -> bytes:
    return swotdoc.write(document(process), fmt)


def filename(process, fmt: str) -> str:
    return f"afom-{process.slug}-{timezone.localdate():%Y%m%d}.{fmt}"
