import io
import re
import zipfile

import pytest
from django.urls import reverse

from atout.opinion import services
from atout.opinion.models import Conversation, Participant, Statement, Vote


@pytest.fixture
def conversation(drome):
    return Conversation.objects.get(process=drome, slug="priorites-drome")


def url(name, conversation, **extra):
    return reverse(f"opinion:{name}", kwargs={"slug": conversation.process.slug, "conversation": conversation.slug, **extra})


def test_the_demo_conversation_is_simulated_and_analysed(conversation):
    assert conversation.simulated
    analysis = conversation.latest_analysis()
    assert analysis is not None and len(analysis.result["groups"]) >= 2
    assert analysis.votes_count == Vote.objects.filter(statement__conversation=conversation).count()


def test_an_anonymous_visitor_votes_one_statement_at_a_time_without_javascript(client, conversation):
    page = client.get(url("conversation", conversation)).content.decode()
    first = re.search(r'name="statement" value="(\d+)"', page).group(1)
    response = client.post(url("conversation", conversation), {"statement": first, "vote": "agree"})
    assert response.status_code == 302
    participant = Participant.objects.get(conversation=conversation, anonymous_key__gt="")
    assert participant.votes.get().value == Vote.AGREE
    page = client.get(url("conversation", conversation)).content.decode()
    assert re.search(r'name="statement" value="(\d+)"', page).group(1) != first
    assert "sur 1 affirmation(s)" in page


def test_the_latest_vote_counts_and_the_history_is_kept(client, conversation):
    client.post(url("conversation", conversation), {"statement": "0", "vote": "agree"})
    client.post(url("conversation", conversation), {"statement": "0", "vote": "disagree"})
    participant = Participant.objects.get(conversation=conversation, anonymous_key__gt="")
    assert participant.votes.count() == 2
    matrix = services.vote_matrix(conversation)
    row = list(matrix.participant_ids).index(participant.number)
    col = list(matrix.statement_ids).index(0)
    assert matrix.votes[row, col] == -1


def test_a_bad_vote_is_refused_with_a_message_and_stores_nothing(client, conversation):
    before = Vote.objects.count()
    response = client.post(url("conversation", conversation), {"statement": "0", "vote": "peut-être"}, follow=True)
    assert "Vote non reconnu" in response.content.decode()
    response = client.post(url("conversation", conversation), {"statement": "9999", "vote": "agree"}, follow=True)
    assert Vote.objects.count() == before


def test_a_proposed_statement_waits_for_moderation_then_is_published(client, conversation, users):
    response = client.post(url("propose", conversation), {"text": "Il faut un festival de musique dans le Diois."})
    assert response.status_code == 302
    statement = conversation.statements.get(text="Il faut un festival de musique dans le Diois.")
    assert statement.status == Statement.Status.PENDING and not statement.seed
    client.force_login(users["team"])
    response = client.post(url("moderation", conversation), {"statement": statement.pk, "decision": "reject", "reason": ""})
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PENDING  # a rejection needs its reason
    client.post(url("moderation", conversation), {"statement": statement.pk, "decision": "accept", "reason": ""})
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED and statement.moderated_by == users["team"]


def test_a_too_short_statement_gets_a_message_at_the_field(client, conversation):
    response = client.post(url("propose", conversation), {"text": "Non"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_pending_and_rejected_statements_are_left_out_of_the_analysis(conversation):
    target = conversation.statements.get(number=3)
    target.status = Statement.Status.REJECTED
    target.save()
    analysis = services.run_analysis(conversation)
    mentioned = {r["statement"] for g in analysis.result["groups"] for r in g["representative"]}
    mentioned |= {c["statement"] for side in ("agree", "disagree") for c in analysis.result["consensus"][side]}
    assert 3 not in mentioned


def test_the_map_page_draws_groups_and_their_statements(client, conversation):
    html = client.get(url("results", conversation)).content.decode()
    analysis = conversation.latest_analysis()
    assert html.count("<polygon") == len(analysis.result["groups"])
    assert html.count("<circle") == len(analysis.result["points"])
    assert "Groupes d&#x27;opinion" in html or "Groupes d'opinion" in html
    assert "Données simulées" in html
    first = analysis.result["groups"][0]["representative"][0]
    assert conversation.statements.get(number=first["statement"]).text.replace("'", "&#x27;") in html


def test_segments_hide_cells_under_ten_people(client, conversation):
    html = client.get(url("results", conversation)).content.decode()
    assert "Tranche d" in html and "75 ans ou plus" in html


def test_an_unknown_group_is_a_404(client, conversation):
    assert client.get(url("group", conversation, group=99)).status_code == 404


def test_the_team_exports_the_conversation_in_polis_format_and_it_reads_back(client, conversation, users, tmp_path):
    from atout.engine.formats import polis

    client.force_login(users["team"])
    response = client.get(url("export", conversation))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["comments.csv", "participants-votes.csv", "summary.csv", "votes.csv"]
        archive.extractall(tmp_path)
    data = polis.read_conversation(tmp_path)
    assert len(data.history) == Vote.objects.filter(statement__conversation=conversation).count()
    assert data.votes.n_votes == services.vote_matrix(conversation).n_votes


def test_the_team_creates_a_conversation_with_seed_statements(client, drome, users):
    client.force_login(users["team"])
    response = client.post(reverse("opinion:new", kwargs={"slug": "drome"}), {
        "slug": "mobilites", "question": "Comment se déplacer demain ?", "question_en": "", "description": "",
        "moderation": "pre", "participant_statements": "on", "seeds": "Plus de trains\n\nPlus de vélos\n",
    })
    assert response.status_code == 302
    conversation = Conversation.objects.get(process=drome, slug="mobilites")
    assert list(conversation.statements.values_list("number", "text")) == [(0, "Plus de trains"), (1, "Plus de vélos")]


def test_a_participant_profile_with_an_unknown_commune_is_refused(client, conversation):
    response = client.post(url("profile", conversation), {"age_band": "30-44", "status": "resident", "commune_code": "Paris"})
    assert response.status_code == 400
    assert "Commune inconnue" in response.content.decode()
    response = client.post(url("profile", conversation), {"age_band": "30-44", "status": "resident", "commune_code": "Die"})
    assert response.status_code == 302
    assert Participant.objects.get(conversation=conversation, anonymous_key__gt="").commune.code == "26113"


def test_map_coordinates_are_not_localised_even_in_french(client, conversation):
    html = client.get(url("results", conversation), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    circles = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', html)
    assert circles and all(re.fullmatch(r"-?\d+(\.\d+)?", v) for pair in circles for v in pair)
