"""Free text that arrives through an importer (a file a team member uploads) is shown escaped on the
pages that show it: Decidim contributions, pol.is comments, fieldwork transcripts, the action plan
spreadsheet, XLSForm labels, the stakeholder directory."""

import csv
import datetime as dt
import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.web import xss

PAYLOAD = xss.SCRIPT + xss.IMG
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"
#: An e-mail address the importer's address check accepts although it is markup.
EMAIL_PAYLOAD = "<svg/onload=alert(1)>@exemple.fr"


def assert_escaped(response, *, marker=ESCAPED):
    assert response.status_code == 200
    html = response.content.decode()
    assert xss.unescaped(html) == [] and "<svg/onload" not in html
    assert marker in html, "the imported text should be shown (escaped) on this page"


def test_decidim_contributions(client, drome, users):
    client.force_login(users["team"])
    header = ("id;created_at;body;author/id;author/name;alignment;depth;user_group/id;user_group/name/en;"
              "user_group/name/fr;commentable_id;commentable_type;root_commentable_url")
    row = (f"9001;2019-01-17 10:38:20 +0100;{PAYLOAD} plus de trains;1153;{xss.SCRIPT};0;0;;;;23;"
           "Decidim::Debates::Debate;javascript:window.__xss=1")
    upload = SimpleUploadedFile('"><img src=x onerror=alert(1)>.csv', f"{header}\n{row}\n".encode())
    response = client.post(reverse("fieldwork:contributions", kwargs={"slug": "drome"}),
                           {"file": upload, "platform": "decidim", "label": PAYLOAD, "note": PAYLOAD})
    assert response.status_code == 302, response.content.decode()[:2000]
    from atout.fieldwork.models import Contribution

    contribution = Contribution.objects.get(process=drome, external_id="9001")
    assert_escaped(client.get(response.url))
    assert_escaped(client.get(reverse("fieldwork:code_contribution", kwargs={"slug": "drome", "contribution": contribution.pk})))
    assert_escaped(client.get(reverse("fieldwork:contributions", kwargs={"slug": "drome"})))


def test_polis_comments(client, drome, users, data_dir):
    client.force_login(users["team"])
    folder = data_dir / "consultation/polis/15-per-hour-seattle"
    comments = list(csv.DictReader((folder / "comments.csv").open(encoding="utf-8", newline="")))
    for row in comments[:3]:
        row["comment-body"] = PAYLOAD
        row["moderated"] = "1"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(comments[0]))
    writer.writeheader()
    writer.writerows(comments)

    def archive_of(extra: dict) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in ("summary.csv", "votes.csv", "participants-votes.csv"):
                archive.write(folder / name, arcname=f"export/{name}")
            archive.writestr("export/comments.csv", out.getvalue())
            for name, content in extra.items():
                archive.writestr(name, content)
        return SimpleUploadedFile("export.zip", buffer.getvalue())

    # A hostile member name: refused or ignored, and never shown raw in the answer.
    hostile = client.post(reverse("opinion:import", kwargs={"slug": "drome"}),
                          {"slug": "xss-archive", "archive": archive_of({f"../../{xss.SCRIPT}.csv": "x"})})
    assert hostile.status_code in (302, 400)
    assert xss.unescaped(hostile.content.decode()) == []
    response = client.post(reverse("opinion:import", kwargs={"slug": "drome"}), {"slug": "xss", "archive": archive_of({})})
    assert response.status_code == 302, response.content.decode()[:2000]
    base = {"slug": "drome", "conversation": "xss"}
    assert_escaped(client.get(reverse("opinion:moderation", kwargs=base)))
    assert_escaped(client.get(reverse("opinion:results", kwargs=base)))
    client.logout()
    assert xss.unescaped(client.get(reverse("opinion:conversation", kwargs=base)).content.decode()) == []


def test_fieldwork_transcript(client, drome, users):
    from atout.fieldwork.models import Session

    client.force_login(users["team"])
    session = Session.objects.create(process=drome, title="Séance", kind=Session.Kind.PUBLIC_MEETING,
                                     date=dt.date(2026, 11, 1))
    text = f"Une habitante : {PAYLOAD}\nUn élu : {xss.SVG} merci.\n"
    upload = SimpleUploadedFile(f"{xss.IMG}.txt", text.encode())
    kwargs = {"slug": "drome", "session": session.pk}
    response = client.post(reverse("fieldwork:transcript_upload", kwargs=kwargs), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_escaped(client.get(reverse("fieldwork:session", kwargs=kwargs)))
    assert_escaped(client.get(reverse("fieldwork:code_session", kwargs=kwargs)))


def test_action_plan_spreadsheet(client, blank_drome, users):
    from atout.strategy.models import Objective

    drome = blank_drome
    Objective.objects.create(process=drome, code="emploi", title="Emploi")
    client.force_login(users["team"])
    plan = ("id,parent_id,title,axis,objective,lead,start,end,status,progress,weight,budget_planned,budget_committed,"
            "budget_spent,subterritories\n"
            f'X1,,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",attractivite,emploi,"{xss.SVG}",2025-01-01,2029-12-31,'
            "in_progress,,1,1000,500,100,\n")
    response = client.post(reverse("actions:import", kwargs={"slug": "drome"}),
                           {"spreadsheet": SimpleUploadedFile("plan.csv", plan.encode())})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_escaped(client.get(reverse("actions:dashboard", kwargs={"slug": "drome"})))
    assert_escaped(client.get(reverse("actions:action", kwargs={"slug": "drome", "code": "X1"})))
    client.logout()
    assert_escaped(client.get(reverse("actions:accountability", kwargs={"slug": "drome"})))


def test_xlsform_labels(client, drome, users, tmp_path):
    from atout.consultation import services
    from atout.engine.formats.xlsform import read_xlsform

    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "hint"])
    survey.append(["begin_group", "p1", PAYLOAD, None])
    survey.append(["select_one yn", "q1", PAYLOAD, xss.SVG + " indice"])
    survey.append(["text", "q2", xss.IMG + " texte", None])
    survey.append(["end_group", None, None, None])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["yn", "y", PAYLOAD])
    choices.append(["yn", "n", "Non"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append([PAYLOAD, "xss_form"])
    path = tmp_path / "xss.xlsx"
    book.save(path)
    form = services.read_form_file(path) if hasattr(services, "read_form_file") else read_xlsform(path)
    created = services.import_form(form, drome, slug="xss", status="open")
    kwargs = {"slug": "drome", "survey": created.slug}
    start = client.get(reverse("consultation:start", kwargs=kwargs))
    assert_escaped(start)
    response = client.post(reverse("consultation:start", kwargs=kwargs), follow=True)
    assert xss.unescaped(response.content.decode()) == []
    assert ESCAPED in response.content.decode()  # the question page shows the labels
    client.force_login(users["team"])
    assert_escaped(client.get(reverse("consultation:builder", kwargs=kwargs)))
    assert_escaped(client.get(reverse("consultation:preview", kwargs=kwargs)))


def test_stakeholders(client, drome, users, tmp_path):
    from atout.community.services import import_stakeholders

    path = tmp_path / "acteurs.csv"
    quoted = PAYLOAD.replace('"', '""')
    path.write_text("organisation,kind,first_name,last_name,email,phone,category,consent_purpose,consent_date,"
                    "consent_source,consent_text_version\n"
                    f'"{quoted}",association,{xss.SVG},"{quoted}",{EMAIL_PAYLOAD},{xss.SVG},expert,directory,'
                    f'2026-01-15,"{quoted}",v1\n', encoding="utf-8")
    import_stakeholders(drome, path)
    client.force_login(users["team"])
    response = client.get(reverse("community:stakeholders", kwargs={"slug": "drome"}))
    assert_escaped(response)
