"""Short load and fault tests of survey submissions: HTTP → gunicorn (2 workers) → PostgreSQL.

The long version, with figures, is ``bench/submissions_load.py``; both use ``bench/loadgen.py``. Here the
database is one of our own (``atout_load_short``) on the PostgreSQL server of CI (127.0.0.1:5432, user
postgres) whichever database the rest of the suite runs on, and the load comes from a separate process
doing the real answering flow (consent page, CSRF, every page, receipt).

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
        loadgen.prepare(url, ["charge", "panne", "coupure"], schema="models", geography="drome",
                        data_dir=str(data_dir), var_dir=var_dir)
        port = loadgen.free_port(PORTS)
        with loadgen.Server(url, port, workers=2, var_dir=var_dir, log=var_dir / "gunicorn.log") as server:
            yield server
    finally:
        loadgen.drop_database(DATABASE)


@contextlib.contextmanager
def connection_lost_when_submitting(url):
    """While active, the transaction that marks a response as submitted (after its answer rows were
    written, before the commit) loses its connection: the server process terminates itself."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""
            CREATE FUNCTION atout_load_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status = 'submitted' THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                    PERFORM pg_sleep(10);  -- the termination is acted upon here
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER atout_load_fault BEFORE UPDATE ON consultation_response
                FOR EACH ROW EXECUTE FUNCTION atout_load_fault();
        """)
        try:
            yield
        finally:
            conn.execute("DROP TRIGGER atout_load_fault ON consultation_response; DROP FUNCTION atout_load_fault();")


def test_the_database_fault_middleware_comes_first():
    assert settings.MIDDLEWARE[0] == "atout.web.middleware.DatabaseUnavailable"


def test_every_acknowledged_submission_is_stored(site):
    result = loadgen.Load(site.base, "charge", SUBMISSIONS, CONCURRENCY).start().result()
    check = loadgen.stored(site.url, "charge", result["receipts"])
    assert result["errors"] == {}
    assert set(result["statuses"]) == {"200", "302"}
    assert len(set(result["receipts"])) == len(result["receipts"]) == SUBMISSIONS
    assert check["stored"] == SUBMISSIONS and check["missing"] == []
    assert check["answers"] >= 20 * SUBMISSIONS  # the demo questionnaire: ~26 answer rows per response


def test_connections_cut_mid_run_give_503s_and_never_a_false_receipt(site):
    load = loadgen.Load(site.base, "panne", SUBMISSIONS, CONCURRENCY, offset=100_000, retry_cap=0.3).start()
    marks = [SUBMISSIONS * k // 10 for k in (2, 4, 6, 8)]
    terminated = []
    for finished, _acknowledged in load.progress():
        while marks and finished >= marks[0]:
            marks.pop(0)
            terminated.append(loadgen.terminate_backends(DATABASE))
    result = load.result()
    check = loadgen.stored(site.url, "panne", result["receipts"])
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
    path = respondent.begin()
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
