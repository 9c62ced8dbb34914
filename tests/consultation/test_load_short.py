"""Short load and fault tests of survey submissions: HTTP → gunicorn (2 workers) → PostgreSQL.

The long version, with figures, is ``bench/submissions_load.py``; both use ``bench/loadgen.py``. Here the
database is one of our own (``atout_load_short``) on the PostgreSQL server of CI (127.0.0.1:5432, user
postgres) whichever database the rest of the suite runs on, and the load comes from a separate process
doing the real answering flow (consent page, CSRF, every page, receipt), in the paged layout and in the
one-page layout (the whole response in one request, the receipt in the acknowledgement).

Faults are real: the server processes of our database are terminated (``pg_terminate_backend``) while
the load runs, or, to hit a submission exactly between its answers and its commit, by a trigger that
terminates its own connection. The PostgreSQL server itself is never restarted here (other tests may be
using it); the benchmark's ``--restart`` mode does that.
"""

import contextlib
import os

import psycopg
import pytest
from bench import loadgen
from django.conf import settings

#: Our own database and port, distinct per run (two runs of the suite may overlap on a shared machine).
DATABASE = f"atout_load_short_{os.getpid()}"
PORTS = range(8641, 8650)
#: Kept small so the file runs in well under a minute on the 2-core reference machine.
SUBMISSIONS = int(os.environ.get("ATOUT_LOAD_SHORT_SUBMISSIONS", "100"))
CONCURRENCY = 8


@pytest.fixture(scope="module")
def site(tmp_path_factory, data_dir):
    """A fresh PostgreSQL database with the Drôme communes, three open surveys, and gunicorn on it."""
    url = loadgen.create_database(DATABASE)
    var_dir = tmp_path_factory.mktemp("load")
    try:
        with pytest.MonkeyPatch.context() as patch:
            # The site's processes run with atout's settings, not the tests'.
            patch.setenv("DJANGO_SETTINGS_MODULE", "atout.settings")
            loadgen.prepare(url, ["charge", "panne", "coupure", "page-unique", "page-unique-panne"], schema="models",
                            geography="drome", data_dir=str(data_dir), var_dir=var_dir,
                            single=("page-unique", "page-unique-panne"))
            port = loadgen.free_port(PORTS)
            with loadgen.Server(url, port, workers=2, var_dir=var_dir, log=var_dir / "gunicorn.log") as server:
                yield server
    finally:
        loadgen.drop_database(DATABASE)


@contextlib.contextmanager
def connection_lost_when_submitting(url):
    """While active, the transaction that stores a response loses its connection after its answer rows
    were written, before the commit: the server process terminates itself."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""
            CREATE FUNCTION atout_load_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_terminate_backend(pg_backend_pid());
                PERFORM pg_sleep(10);  -- the termination is acted upon here
                RETURN NULL;
            END $$;
            CREATE TRIGGER atout_load_fault AFTER INSERT ON consultation_answer
                FOR EACH STATEMENT EXECUTE FUNCTION atout_load_fault();
        """)
        try:
            yield
        finally:
            conn.execute("DROP TRIGGER atout_load_fault ON consultation_answer; DROP FUNCTION atout_load_fault();")


def test_the_database_fault_middleware_comes_first():
    assert settings.MIDDLEWARE[0] == "atout.web.middleware.DatabaseUnavailable"


@pytest.mark.parametrize(("survey", "statuses"), [("charge", {"200", "302"}), ("page-unique", {"200"})])
def test_every_acknowledged_submission_is_stored(site, survey, statuses):
    result = loadgen.Load(site.base, survey, SUBMISSIONS, CONCURRENCY, offset=300_000 * (survey != "charge")).start().result()
    check = loadgen.stored(site.url, survey, result["receipts"])
    assert result["errors"] == {}
    assert set(result["statuses"]) == statuses
    assert len(set(result["receipts"])) == len(result["receipts"]) == SUBMISSIONS
    assert check["stored"] == SUBMISSIONS and check["missing"] == []
    assert check["answers"] >= 20 * SUBMISSIONS  # the demo questionnaire: ~26 answer rows per response


@pytest.mark.parametrize("survey", ["panne", "page-unique-panne"])
def test_connections_cut_mid_run_give_503s_and_never_a_false_receipt(site, survey):
    offset = 100_000 if survey == "panne" else 400_000
    load = loadgen.Load(site.base, survey, SUBMISSIONS, CONCURRENCY, offset=offset, retry_cap=0.3).start()
    marks = [SUBMISSIONS * k // 10 for k in (2, 4, 6, 8)]
    terminated = []
    for finished, _acknowledged in load.progress():
        while marks and finished >= marks[0]:
            marks.pop(0)
            terminated.append(loadgen.terminate_backends(DATABASE))
    result = load.result()
    check = loadgen.stored(site.url, survey, result["receipts"])
    assert sum(terminated) > 0, "no connection of the application was cut"
    assert check["missing"] == []  # every receipt shown is in the database
    assert {s for s in result["statuses"] if s.startswith("5")} <= {"503"}
    assert set(result["retry_after"]) <= {"5"}  # every 503 says when to retry
    assert not any(kind.startswith(("HTTP", "gave up", "generator")) for kind in result["errors"]), result["errors"]
    # Respondents who were told to retry did, so every submission ends acknowledged and stored once.
    assert len(result["receipts"]) == SUBMISSIONS == check["stored"]


def test_a_connection_lost_while_storing_gives_a_503_and_stores_nothing(site):
    """One transaction: answer rows written, then the connection drops before the commit. The
    respondent gets a 503 with retry advice, no receipt; nothing of the response is stored; the
    same form sent again once the database answers is stored normally."""
    respondent = loadgen.Respondent(site.base, "coupure", 200_000, loadgen.Stats(), max_attempts=1)
    _status, _location, html = respondent.request("get consent page", "GET", respondent.start_path, expect=(200,))
    _status, path, _html = respondent.request("post consent", "POST", respondent.start_path, {
        "csrfmiddlewaretoken": loadgen._csrf(html), "consent": "yes", "site_web": ""}, expect=(302,))
    while True:
        _status, _location, html = respondent.request("get page", "GET", path, expect=(200,))
        fields = respondent.answers(html)
        if "Envoyer mes réponses" in html:
            break
        _status, path, _html = respondent.request("post page", "POST", path, fields, expect=(302,))
    with connection_lost_when_submitting(site.url):
        status, headers, body = respondent.send("POST", path, fields)
    assert status == 503 and headers["Retry-After"] == "5"
    assert "no-cache" in headers["Cache-Control"]
    page = body.decode()
    assert "Service momentanément indisponible" in page and "Réessayez" in page and "receipt-id" not in page
    check = loadgen.stored(site.url, "coupure", [])
    assert (check["stored"], check["answers"], check["partial"]) == (0, 0, 1)

    status, headers, _body = respondent.send("POST", path, fields)
    assert status == 302 and headers["Location"].endswith("/recu/")
    _status, _location, html = respondent.request("get receipt", "GET", headers["Location"], expect=(200,))
    receipt = loadgen.RECEIPT.search(html).group(1)
    check = loadgen.stored(site.url, "coupure", [receipt])
    assert check["stored"] == 1 and check["missing"] == [] and check["answers"] >= 20


def test_one_page_a_connection_lost_while_storing_gives_a_503_and_stores_nothing(site):
    """The one-page layout: the response row and its answers are written by one request, in one
    transaction; a connection lost before the commit leaves nothing, and sending again stores it."""
    respondent = loadgen.Respondent(site.base, "page-unique-panne", 500_000, loadgen.Stats(), max_attempts=1)
    _status, _location, html = respondent.request("get consent page", "GET", respondent.start_path, expect=(200,))
    fields = respondent.whole(html)
    before = loadgen.stored(site.url, "page-unique-panne", [])
    with connection_lost_when_submitting(site.url):
        status, headers, body = respondent.send("POST", respondent.start_path, fields)
    assert status == 503 and headers["Retry-After"] == "5" and "receipt-id" not in body.decode()
    assert loadgen.stored(site.url, "page-unique-panne", []) == before

    status, _headers, body = respondent.send("POST", respondent.start_path, fields)
    receipt = loadgen.RECEIPT.search(body.decode()).group(1)
    check = loadgen.stored(site.url, "page-unique-panne", [receipt])
    assert status == 200 and check["missing"] == [] and check["stored"] == before["stored"] + 1
