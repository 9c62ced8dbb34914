"""Fieldwork for the Drôme demo: a codebook tagged with SWOT categories and the API axes, three
SIMULATED sessions (their transcripts are written for the demo — "données simulées" — not
recorded), a few coded excerpts, and, as a separate and clearly labelled example, the real
comments of the 2019 Grand débat on Lille's Decidim (they are about Lille, not the Drôme) with a
theme analysis of them.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.db import transaction

from atout.core.contracts import provider
from atout.processes.models import Process
from atout.processes.services import create_process
from atout.territories.models import Level, Territory

from .coding import code_transcript_range, codebook_for
from .models import Code, ContributionImport, ParticipantGroup, Session, ThemeRun

SIMULATED = "Données simulées"

# (name, definition, SWOT, axis code, parent name)
CODES = [
    ("Cadre de vie", "Paysages, nature, climat, qualité de vie quotidienne.", "S", "attractivite", None),
    ("Nature et montagne", "Vercors, Diois, rivières, activités de pleine nature.", "S", "attractivite", "Cadre de vie"),
    ("Agriculture et produits", "Bio, vins, lavande, olives, savoir-faire agricoles.", "S", "inventivite", "Cadre de vie"),
    ("Mobilités", "Transports du quotidien, train, car, covoiturage, vélo.", "W", "proximite", None),
    ("Logement", "Accès au logement, prix, résidences secondaires, logement des jeunes et saisonniers.", "W", "proximite", None),
    ("Emploi et formation", "Emplois, apprentissage, formations supérieures, départ des jeunes.", "W", "inventivite", None),
    ("Santé et services", "Médecins, services publics, commerces de proximité.", "T", "proximite", None),
    ("Image et notoriété", "Comment la Drôme est vue de l'extérieur, marque territoriale.", "O", "attractivite", None),
    ("Tourisme", "Fréquentation, saisonnalité, hébergement, festivals.", "O", "attractivite", "Image et notoriété"),
    ("Innovation et entreprises", "Industrie, filières (cuir, nucléaire, agroalimentaire), création d'entreprise, télétravail.", "O", "inventivite", None),
    ("Eau et climat", "Sécheresse, ressource en eau, adaptation au changement climatique.", "T", "attractivite", None),
    ("Vie locale et associations", "Associations, sport, culture, lien social.", "S", "proximite", None),
]

SESSIONS = [
    {
        "title": "Groupe de discussion jeunes — Die (simulé)",
        "kind": Session.Kind.FOCUS_YOUNG,
        "date": dt.date(2026, 10, 14),
        "place": ("26113", "Die"),
        "groups": [("young", 9, "written", "Autorisation parentale écrite pour les mineurs."), ("agent", 1, "oral", "")],
        "transcript": """[DONNÉES SIMULÉES — compte rendu fictif écrit pour la démonstration, aucun propos réel]

Animatrice : Qu'est-ce qui vous plaît dans le fait de vivre dans le Diois ?

[Jeune 1] Les montagnes, la rivière en été, on se baigne dans la Drôme. On a de la place et c'est calme. Pour faire du vélo ou de l'escalade c'est génial.

[Jeune 2] Il y a plein d'associations, le club de foot, la radio locale, le festival. Tout le monde se connaît, c'est rassurant.

Animatrice : Et ce qui vous manque ?

[Jeune 3] Le train pour Valence, il n'y en a pas assez. Le soir il n'y a plus rien, il faut qu'un parent nous conduise. Sans permis on est bloqués.

[Jeune 1] Pour les études il faut partir, à Valence ou à Grenoble. Il n'y a pas de formation après le bac ici, à part quelques BTS.

[Jeune 4] Les logements sont chers l'été à cause des touristes et des résidences secondaires. Mon grand frère n'a pas trouvé d'appartement à Die.

Animatrice : Est-ce que vous aimeriez revenir vivre ici plus tard ?

[Jeune 2] Oui si je trouve du travail. Le télétravail ça pourrait marcher, mais la connexion internet est lente dans les hameaux.

[Jeune 5] On dit que la Drôme c'est la bio et la lavande, mais les gens de l'extérieur ne connaissent pas vraiment. Il faudrait mieux la faire connaître sur les réseaux.

[Jeune 3] L'été il fait de plus en plus chaud et la rivière est presque à sec. Ça fait peur pour l'avenir.""",
    },
    {
        "title": "Entretien avec une cheffe d'entreprise — Romans-sur-Isère (simulé)",
        "kind": Session.Kind.INTERVIEW,
        "date": dt.date(2026, 10, 21),
        "place": ("26281", "Romans-sur-Isère"),
        "groups": [("business", 1, "written", "")],
        "transcript": """[DONNÉES SIMULÉES — entretien fictif écrit pour la démonstration, aucun propos réel]

Enquêteur : Pourquoi votre entreprise est-elle installée à Romans ?

Dirigeante : Pour le savoir-faire du cuir et de la chaussure. Il reste des artisans et des écoles, c'est une vraie filière. Le label et l'histoire de la ville nous aident à l'export.

Enquêteur : Quelles difficultés rencontrez-vous ?

Dirigeante : Recruter. Les jeunes formés partent à Lyon ou à Grenoble, et les candidats extérieurs ne trouvent pas de logement à un prix raisonnable près de la gare. Les offres de formation en alternance sont trop rares.

Dirigeante : Les transports aussi : la gare TGV est à côté, c'est un atout pour nos clients, mais nos salariés qui viennent des villages n'ont pas de car aux bons horaires.

Enquêteur : Et l'image du territoire ?

Dirigeante : On est entre Lyon et la Provence, ça parle aux gens. Mais on ne se vend pas assez : quand je dis Romans, on me répond raviole, pas innovation. Une marque Drôme qui mette en avant l'industrie créative serait utile.

Dirigeante : La Drôme a une qualité de vie exceptionnelle, c'est mon meilleur argument pour attirer des cadres, à condition qu'ils trouvent un médecin et une école.""",
    },
    {
        "title": "Visite de terrain — Nyons (simulée)",
        "kind": Session.Kind.FIELD_VISIT,
        "date": dt.date(2026, 11, 4),
        "place": ("26220", "Nyons"),
        "groups": [("elected", 2, "oral", ""), ("business", 3, "oral", ""), ("citizen", 6, "oral", ""),
                   ("health", 1, "oral", "")],
        "transcript": """[DONNÉES SIMULÉES — notes de visite fictives écrites pour la démonstration]

Visite du marché et de la coopérative oléicole, échanges avec des commerçants, des élus et des habitants.

Un élu : Nos olives et notre huile sont connues, l'appellation attire des visiteurs toute l'année. La Drôme provençale a une image forte.

Un commerçant : L'été, la fréquentation explose, l'hiver la ville est vide. Les saisonniers ne trouvent pas à se loger.

Une habitante : Il manque des médecins : mon généraliste part à la retraite et personne ne le remplace. Pour un spécialiste il faut aller à Valence ou à Avignon.

Un agriculteur : L'eau devient le sujet numéro un. Avec les sécheresses, les oliviers souffrent et les conflits d'usage augmentent.

Une habitante : Les associations font vivre le village, la fête de l'olive rassemble tout le monde. C'est ce qui donne envie de rester.

Un élu : Nous voulons accueillir des télétravailleurs et des artisans, mais il faut la fibre et des locaux partagés.""",
    },
]

# (session index, passage, codes, speaker category)
EXCERPTS = [
    (0, "Les montagnes, la rivière en été, on se baigne dans la Drôme.", ["Nature et montagne"], "young"),
    (0, "Il y a plein d'associations, le club de foot, la radio locale, le festival.", ["Vie locale et associations"], "young"),
    (0, "Le train pour Valence, il n'y en a pas assez. Le soir il n'y a plus rien, il faut qu'un parent nous conduise.", ["Mobilités"], "young"),
    (0, "Pour les études il faut partir, à Valence ou à Grenoble.", ["Emploi et formation"], "young"),
    (0, "Les logements sont chers l'été à cause des touristes et des résidences secondaires.", ["Logement", "Tourisme"], "young"),
    (0, "Il faudrait mieux la faire connaître sur les réseaux.", ["Image et notoriété"], "young"),
    (0, "L'été il fait de plus en plus chaud et la rivière est presque à sec.", ["Eau et climat"], "young"),
    (1, "Pour le savoir-faire du cuir et de la chaussure.", ["Innovation et entreprises"], "business"),
    (1, "Recruter. Les jeunes formés partent à Lyon ou à Grenoble, et les candidats extérieurs ne trouvent pas de logement", ["Emploi et formation", "Logement"], "business"),
    (1, "nos salariés qui viennent des villages n'ont pas de car aux bons horaires.", ["Mobilités", "Emploi et formation"], "business"),
    (1, "Une marque Drôme qui mette en avant l'industrie créative serait utile.", ["Image et notoriété", "Innovation et entreprises"], "business"),
    (1, "à condition qu'ils trouvent un médecin et une école.", ["Santé et services"], "business"),
    (2, "Nos olives et notre huile sont connues, l'appellation attire des visiteurs toute l'année.", ["Agriculture et produits", "Tourisme"], "elected"),
    (2, "Les saisonniers ne trouvent pas à se loger.", ["Logement", "Tourisme"], "business"),
    (2, "Il manque des médecins : mon généraliste part à la retraite et personne ne le remplace.", ["Santé et services"], "citizen"),
    (2, "L'eau devient le sujet numéro un.", ["Eau et climat"], "citizen"),
    (2, "Nous voulons accueillir des télétravailleurs et des artisans, mais il faut la fibre et des locaux partagés.", ["Innovation et entreprises"], "elected"),
]

FIRST_CODER, SECOND_CODER = "equipe", "animation"
# What the second coder coded in the first two sessions (session index, passage, codes): mostly as the
# first coder, with a few differences to arbitrate.
SECOND_CODINGS = [
    (0, "Les montagnes, la rivière en été, on se baigne dans la Drôme.", ["Nature et montagne"]),
    (0, "Il y a plein d'associations, le club de foot, la radio locale, le festival.", ["Vie locale et associations"]),
    (0, "Le train pour Valence, il n'y en a pas assez. Le soir il n'y a plus rien, il faut qu'un parent nous conduise.",
     ["Mobilités"]),
    (0, "Pour les études il faut partir, à Valence ou à Grenoble.", ["Emploi et formation"]),
    (0, "Les logements sont chers l'été à cause des touristes et des résidences secondaires.", ["Logement"]),
    (0, "Le télétravail ça pourrait marcher, mais la connexion internet est lente dans les hameaux.",
     ["Innovation et entreprises"]),
    (0, "Il faudrait mieux la faire connaître sur les réseaux.", ["Image et notoriété"]),
    (1, "Pour le savoir-faire du cuir et de la chaussure.", ["Innovation et entreprises"]),
    (1, "Recruter. Les jeunes formés partent à Lyon ou à Grenoble, et les candidats extérieurs ne trouvent pas de logement",
     ["Emploi et formation"]),
    (1, "nos salariés qui viennent des villages n'ont pas de car aux bons horaires.", ["Mobilités"]),
    (1, "Une marque Drôme qui mette en avant l'industrie créative serait utile.", ["Image et notoriété"]),
    (1, "La Drôme a une qualité de vie exceptionnelle", ["Cadre de vie"]),
    (1, "à condition qu'ils trouvent un médecin et une école.", ["Santé et services"]),
]


def _second_coding(process, sessions, codes) -> None:
    from django.contrib.auth import get_user_model

    coder = get_user_model().objects.filter(username=SECOND_CODER).first()
    if coder is None:
        return
    for index, passage, names in SECOND_CODINGS:
        session = sessions[index]
        start = session.transcript.index(passage)
        code_transcript_range(session, start, start + len(passage), [codes[n] for n in names], user=coder)


LILLE_LABEL = "Exemple hors Drôme : Grand débat 2019 à Lille (Decidim)"
LILLE_NOTE = (
    "Commentaires réels publiés en open data par la Métropole européenne de Lille lors du Grand débat national "
    "de 2019 (Decidim, pseudonymes remplacés). Ils ne concernent PAS la Drôme : ils illustrent l'import et "
    "l'explorateur de thèmes sur de vraies contributions."
)
LILLE_FILE = Path("consultation") / "decidim-lille" / "commentaires_debats.csv"
#: The Lille comments live in their own demo process on the Métropole européenne de Lille, never inside
#: the Drôme's (its pages, themes and open data are about the Drôme only).
LILLE_SLUG = "exemple-lille"
LILLE_TITLE = "Exemple hors Drôme : Grand débat 2019 dans la métropole lilloise"
LILLE_EPCI = "200093201"


def prepare(process, *, with_lille: bool = True) -> None:
    """Create (or recreate) the demo fieldwork of ``process``. Idempotent."""
    from django.contrib.auth import get_user_model

    # The demo's team member codes every session; the facilitator codes two of them again, on their
    # own, so that the agreement page has two coders to compare.
    first_coder = get_user_model().objects.filter(username=FIRST_CODER).first()
    with transaction.atomic():
        codes = _codebook(process)
        Session.objects.filter(process=process, simulated=True).delete()
        sessions = [_session(process, spec) for spec in SESSIONS]
        for index, passage, names, speaker in EXCERPTS:
            session = sessions[index]
            start = session.transcript.index(passage)
            code_transcript_range(session, start, start + len(passage), [codes[n] for n in names],
                                  speaker_category=speaker, user=first_coder)
        _second_coding(process, sessions, codes)
    # Demos made before the Lille example had its own process held it in the Drôme's: move it out.
    ContributionImport.objects.filter(process=process, label=LILLE_LABEL).delete()
    ThemeRun.objects.filter(process=process, label=LILLE_LABEL).delete()
    if with_lille:
        lille = lille_process()
        if lille is not None:
            _lille(lille)


def lille_process():
    """The separate demo process holding the Lille example (made once), or None without the geography."""

    lille = Process.objects.filter(slug=LILLE_SLUG).first()
    if lille is None:
        territory = Territory.objects.filter(level=Level.EPCI, code=LILLE_EPCI).first()
        if territory is None:
            return None
        lille = create_process(slug=LILLE_SLUG, territory=territory, title=LILLE_TITLE, description=LILLE_NOTE,
                               is_demo=True)
    # A past consultation (2019), shown as an example: finished, so nobody lands on it after signing in.
    lille.status = Process.Status.CLOSED
    lille.save(update_fields=["status"])
    return lille


def _codebook(process) -> dict[str, Code]:
    codebook = codebook_for(process)
    codebook.description = ("Grille de démonstration : chaque code porte une catégorie AFOM (atouts, faiblesses, "
                            "opportunités, menaces) et un axe de la stratégie (Attractivité, Proximité, Inventivité).")
    codebook.save()
    axes = {a.code: a for a in process.axes.all()}
    codes: dict[str, Code] = {}
    for order, (name, definition, swot, axis, parent) in enumerate(CODES):
        codes[name], _created = Code.objects.update_or_create(
            codebook=codebook, name=name,
            defaults={"definition": definition, "swot": swot, "axis": axes.get(axis), "order": order,
                      "parent": codes.get(parent) if parent else None},
        )
    return codes


def _session(process, spec: dict) -> Session:
    code, name = spec["place"]
    place = (Territory.objects.filter(level="commune", code=code).first()
             or process.territory.communes().filter(name=name).first())
    session = Session.objects.create(
        process=process, title=spec["title"], kind=spec["kind"], date=spec["date"], place=place,
        transcript=spec["transcript"], simulated=True,
        transcript_note=f"{SIMULATED} : texte écrit pour la démonstration.",
    )
    for category, count, consent, note in spec["groups"]:
        ParticipantGroup.objects.create(session=session, category=category, count=count, consent=consent,
                                        consent_note=note)
    return session


def _lille(process) -> None:
    """Import the Lille comments (when the data mirror is there) into ``process`` (the Lille example,
    :func:`lille_process`) and analyse them into themes."""
    from .imports import import_contributions
    from .themeruns import start_run

    data_dir = os.environ.get("ATOUT_DATA_DIR", "")
    path = Path(data_dir) / LILLE_FILE if data_dir else None
    if path is None or not path.is_file():
        return
    ContributionImport.objects.filter(process=process, label=LILLE_LABEL).delete()
    ThemeRun.objects.filter(process=process, label=LILLE_LABEL).delete()
    batch = import_contributions(process, path, "decidim", label=LILLE_LABEL, note=LILLE_NOTE)
    run = start_run(process, k=None, seed=0, batches=[batch.pk], transcripts=False, label=LILLE_LABEL)
    if run.status == ThemeRun.Status.DONE:
        run.published = True
        run.save(update_fields=["published"])


# --------------------------------------------------------------------------- document corpus

DOCUMENT_NOTE = ("Exemple simulé : document fictif écrit pour la démonstration par le projet atout ; "
                 "il ne reproduit aucun document officiel.")
BANNER = "[DOCUMENT SIMULÉ — exemple fictif écrit pour la démonstration, aucun texte officiel]"

# (file format, type, title, author, year, paragraphs)
DOCUMENTS = [
    ("pdf", "scot", "Schéma de cohérence territoriale — extrait du diagnostic (exemple simulé)",
     "Syndicat mixte fictif du SCoT", 2023, [
         "Diagnostic territorial",
         "Le territoire conserve une agriculture diversifiée, première en France pour la part des surfaces en "
         "agriculture biologique, qui façonne ses paysages et son image.",
         "La consommation d'espaces agricoles par l'habitat individuel reste forte en périphérie des villes ; "
         "le prix du foncier éloigne les jeunes ménages des centres.",
         "Les déplacements domicile-travail se font très majoritairement en voiture ; hors de l'axe du Rhône, "
         "l'offre de car et de train ne répond pas aux horaires des salariés.",
         "La ressource en eau est sous tension l'été : les épisodes de sécheresse se multiplient et "
         "réduisent les débits des rivières.",
     ]),
    ("docx", "tourism", "Plan départemental de développement touristique 2024-2028 (exemple simulé)",
     "Agence fictive de développement touristique", 2024, [
         "Orientations du plan tourisme",
         "La Drôme provençale, le Vercors et le Diois attirent des visiteurs pour leurs paysages, leurs "
         "produits et leurs festivals ; la fréquentation reste très concentrée sur l'été.",
         "Allonger la saison par l'itinérance douce (vélo, randonnée) et l'œnotourisme, et mieux faire "
         "connaître la destination au-delà de la région.",
         "Les saisonniers et les jeunes actifs du tourisme peinent à se loger près de leur travail.",
     ]),
    ("odt", "press", "« Les entreprises drômoises cherchent des bras et des logements » (article simulé)",
     "Quotidien régional fictif", 2025, [
         "Économie",
         "Dans la filière du cuir comme dans l'agroalimentaire, les chefs d'entreprise disent peiner à "
         "recruter : les jeunes formés partent vers Lyon ou Grenoble.",
         "Une dirigeante romanaise regrette que la Drôme ne mette pas assez en avant son industrie créative "
         "et son savoir-faire à l'export.",
         "Plusieurs communes rurales misent sur la fibre et les tiers-lieux pour accueillir télétravailleurs "
         "et artisans.",
     ]),
]

# (document index, passage, codes, words of the SWOT item it may back)
DOCUMENT_EXCERPTS = [
    (0, "première en France pour la part des surfaces en agriculture biologique", ["Agriculture et produits"],
     ["bio", "agricult", "produit"]),
    (0, "le prix du foncier éloigne les jeunes ménages des centres", ["Logement"], ["logement", "loger"]),
    (0, "hors de l'axe du Rhône, l'offre de car et de train ne répond pas aux horaires des salariés",
     ["Mobilités"], ["transport", "mobilit", "train"]),
    (0, "les épisodes de sécheresse se multiplient et réduisent les débits des rivières", ["Eau et climat"],
     ["eau", "secheresse", "climat"]),
    (1, "la fréquentation reste très concentrée sur l'été", ["Tourisme"], ["touris", "saison"]),
    (1, "Les saisonniers et les jeunes actifs du tourisme peinent à se loger près de leur travail.",
     ["Logement", "Tourisme"], ["logement", "loger"]),
    (2, "les chefs d'entreprise disent peiner à recruter : les jeunes formés partent vers Lyon ou Grenoble",
     ["Emploi et formation"], ["emploi", "formation", "jeunes"]),
    (2, "ne mette pas assez en avant son industrie créative et son savoir-faire à l'export",
     ["Image et notoriété", "Innovation et entreprises"], ["image", "notoriete", "connu"]),
]


def _document_file(kind: str, title: str, author: str, year: int, paragraphs: list[str]) -> bytes:
    """The demo document written in its format, with its title, author and year in the file's metadata."""
    import datetime as dt
    import html
    import io

    body = [BANNER, *paragraphs]
    if kind == "pdf":
        import weasyprint

        rows = "".join(f"<p>{html.escape(p)}</p>" for p in body)
        page = (f'<html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f'<meta name="author" content="{html.escape(author)}"><meta name="dcterms.created" content="{year}-06-01">'
                f"</head><body>{rows}</body></html>")
        return weasyprint.HTML(string=page).write_pdf()
    buffer = io.BytesIO()
    if kind == "docx":
        import docx

        word = docx.Document()
        for paragraph in body:
            word.add_paragraph(paragraph)
        word.core_properties.title, word.core_properties.author = title, author
        word.core_properties.created = dt.datetime(year, 6, 1, tzinfo=dt.UTC)
        word.save(buffer)
        return buffer.getvalue()
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    odt = OpenDocumentText()
    odt.meta.addElement(dc.Title(text=title))
    odt.meta.addElement(meta.InitialCreator(text=author))
    odt.meta.addElement(meta.CreationDate(text=f"{year}-06-01T00:00:00"))
    for paragraph in body:
        odt.text.addElement(P(text=paragraph))
    odt.write(buffer)
    return buffer.getvalue()


def prepare_documents(process) -> None:
    """A small corpus of simulated documents written by the project (PDF, DOCX, ODT), imported like any
    document, with coded passages used as evidence (and backing a SWOT item of the same subject when
    the demo SWOT has one). Idempotent. Runs after the strategy demo, which builds the SWOT board."""
    from . import documents
    from .models import Document

    codes = {c.name: c for c in Code.objects.filter(codebook__process=process)}
    Document.objects.filter(process=process, simulated=True).delete()
    # The strategy app (above this one) keeps the evidence and the SWOT items: asked for by name.
    provider("evidence.delete_simulated_documents")(process)
    made = []
    for kind, doc_type, title, author, year, paragraphs in DOCUMENTS:
        data = _document_file(kind, title, author, year, paragraphs)
        made.append(documents.import_document(process, f"exemple.{kind}", data, type=doc_type, note=DOCUMENT_NOTE,
                                              simulated=True))
    items = [item for item in provider("evidence.swot_items_to_back")(process) if item.status == "accepted"]
    for index, passage, names, words in DOCUMENT_EXCERPTS:
        document = made[index]
        start = document.text.index(passage)
        excerpt = documents.code_range(document, start, start + len(passage), [codes[n] for n in names if n in codes])
        evidence = provider("evidence.from_excerpt")(excerpt)
        kinds = {codes[n].swot for n in names if n in codes and codes[n].swot}
        for item in items:
            title = documents.fold(item.title)
            if item.kind in kinds and any(w in title for w in words):
                item.link_evidence(evidence, note="Extrait codé d'un document (exemple simulé)")
                break
