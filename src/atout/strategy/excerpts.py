"""Coded passages of documents and transcripts (fieldwork) as evidence for the strategy.

fieldwork sits below strategy and must not import it: it asks for these services by name
(``atout.core.contracts.provider``, declared in strategy's contract)."""

from __future__ import annotations

import re

from django.contrib.contenttypes.models import ContentType

from atout.fieldwork.documents import page_of
from atout.fieldwork.models import Excerpt

from .models import Evidence, SwotItem


def excerpt_evidence(excerpt: Excerpt):
    """The piece of evidence quoting a coded excerpt of a document or transcript (created once,
    updated after). A document passage is public (the documents are); a transcript passage is shown
    to the team only until the team makes it public on the evidence page."""
    codes = sorted({c.code.name for c in excerpt.codings.select_related("code")})
    quote = re.sub(r"\s+", " ", excerpt.text).strip()
    if excerpt.document_id:
        document = excerpt.document
        page = page_of(document, excerpt.start or 0)
        where = ", ".join(x for x in [document.author, str(document.year or ""), f"p. {page}" if page else ""] if x)
        source = f"{document.get_type_display()} — « {document.title} »" + (f" ({where})" if where else "")
        defaults = {"kind": Evidence.Kind.DOCUMENT, "source": source[:400], "vintage": str(document.year or ""),
                    "public": True, "simulated": document.simulated}
    elif excerpt.session_id:
        session = excerpt.session
        source = f"{session.get_kind_display()} — {session.title} ({session.date:%d/%m/%Y})"
        defaults = {"kind": Evidence.Kind.EXCERPT, "source": source[:400], "vintage": f"{session.date:%Y}",
                    "public": False, "simulated": session.simulated}
    else:
        raise ValueError("only passages of documents and transcripts become evidence here")
    summary = f"« {quote} »" + (f" Codes : {', '.join(codes)}." if codes else "")
    title = quote if len(quote) <= 120 else quote[:117].rsplit(" ", 1)[0] + "…"
    fields = {**defaults, "title": title[:300], "summary": summary,
              "origin_type": ContentType.objects.get_for_model(excerpt), "origin_id": excerpt.pk}
    evidence, created = Evidence.objects.get_or_create(process=excerpt.process, key=f"excerpt:{excerpt.pk}",
                                                       defaults=fields)
    if not created:
        fields.pop("public")  # the team's choice to publish a transcript passage stands
        for name, value in fields.items():
            setattr(evidence, name, value)
        evidence.save()
    return evidence


def swot_items_to_back(process):
    """The SWOT items a passage may back: those accepted or proposed, by quadrant then title."""
    return (SwotItem.objects.filter(process=process, status__in=[SwotItem.Status.ACCEPTED, SwotItem.Status.PROPOSED])
            .order_by("kind", "title").only("pk", "kind", "title", "status"))


def evidence_of_excerpts(excerpts) -> dict[int, Evidence]:
    """Excerpt pk → the evidence quoting it, for the excerpts that have one."""
    keys = {f"excerpt:{e.pk}": e.pk for e in excerpts}
    return {keys[e.key]: e for e in Evidence.objects.filter(key__in=list(keys))}


def delete_simulated_document_evidence(process) -> None:
    """The demo's document evidence, removed before the demo imports its documents again."""
    Evidence.objects.filter(process=process, key__startswith="excerpt:", kind=Evidence.Kind.DOCUMENT,
                            simulated=True).delete()
