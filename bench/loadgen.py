"""Survey submissions over HTTP into PostgreSQL: the harness shared by the load benchmark
(``bench/submissions_load.py``) and the short load test of the suite (``tests/consultation/test_load_short.py``).

Pieces, each usable alone:

- **databases** (:func:`create_database`, :func:`stored`): plain psycopg on the server, so the
  calling process needs no Django;
- **prepare** (``python bench/loadgen.py prepare …``, run by :func:`prepare`): in a child process with
  Django, the schema (real migrations, or tables created from the models for speed), the geography,
  a process and the Drôme perception questionnaire (:mod:`atout.consultation.demo`), published and open;
- **Server**: gunicorn (``--preload``, N sync workers) on a loopback port, stopped on exit;
- **load** (``python bench/loadgen.py load …``, run by :class:`Load`): a SEPARATE process whose
  threads are virtual respondents doing the real answering flow of a browser without JavaScript —
  GET the consent page, POST it with the CSRF token (honeypot left empty), GET and POST each page
  (answers drawn at random from the choices the page offers, free texts unique), follow the
  redirect to the receipt page and read the receipt id. Each respondent uses its own loopback
  source address (127.x.y.z), so the anti-abuse rate limit (per keyed hash of the address) counts
  each one as a different person, as in real life, without being raised or bypassed. On a 503 it
  waits as advised by ``Retry-After`` (capped) and sends the same request again.

"Acknowledged" means a receipt id was read on the receipt page; "stored" means a submitted
response in the database. The harness reports both and checks every acknowledged receipt is stored.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER = os.environ.get("ATOUT_LOAD_SERVER", "postgres://postgres@127.0.0.1:5432")
PROCESS = "bench"

# ---------------------------------------------------------------------------------------------
# Databases (psycopg only)


def database_url(name: str, server: str = SERVER) -> str:
    return f"{server.rstrip('/')}/{name}"


def _admin(server: str = SERVER):
    import psycopg

    return psycopg.connect(database_url("postgres", server), autocommit=True)


def create_database(name: str, server: str = SERVER) -> str:
    """Drop (closing its connections) and create the database ``name``; returns its URL."""
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, server)


def drop_database(name: str, server: str = SERVER) -> None:
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_backends(name: str, server: str = SERVER) -> int:
    """Terminate every server process connected to database ``name`` (the app's connections,
    idle or in the middle of a transaction). Output: how many were terminated."""
    with _admin(server) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", [name]).fetchall()
    return sum(1 for (done,) in rows if done)


def stored(url: str, survey: str, receipts: list[str]) -> dict:
    """Submitted responses of ``survey`` in the database at ``url``, and which of ``receipts`` are
    missing there. Output: {stored, answers, missing: [receipts], partial}."""
    import psycopg

    with psycopg.connect(url) as conn:
        survey_id = conn.execute("SELECT s.id FROM consultation_survey s JOIN processes_process p ON p.id = s.process_id "
                                 "WHERE p.slug = %s AND s.slug = %s", [PROCESS, survey]).fetchone()[0]
        counts = dict(conn.execute("SELECT status, count(*) FROM consultation_response WHERE survey_id = %s GROUP BY status",
                                   [survey_id]).fetchall())
        answers = conn.execute("SELECT count(*) FROM consultation_answer WHERE survey_id = %s", [survey_id]).fetchone()[0]
        found = {r for (r,) in conn.execute("SELECT receipt FROM consultation_response WHERE survey_id = %s AND status = "
                                            "'submitted' AND receipt = ANY(%s)", [survey_id, receipts]).fetchall()}
    return {"stored": counts.get("submitted", 0), "partial": counts.get("partial", 0), "answers": answers,
            "missing": sorted(set(receipts) - found)}


# ---------------------------------------------------------------------------------------------
# Preparing a database (child process with Django)


def prepare(url: str, surveys: list[str], *, schema: str = "migrate", geography: str = "full",
            data_dir: str | None = None, var_dir: Path | None = None, single: tuple[str, ...] = ()) -> dict:
    """Run ``loadgen.py prepare`` in a child process: schema (``migrate``: the real migrations;
    ``models``: tables created straight from the models, much faster, for the short test),
    geography (``full``: the official import; ``drome``: the Drôme and its communes only), the
    process ``bench`` and one open survey per slug in ``surveys`` (in the one-page layout for those
    also in ``single``). Output: the child's JSON report."""
    command = [sys.executable, str(Path(__file__).resolve()), "prepare", "--schema", schema, "--geography", geography,
               *[arg for slug in surveys for arg in ("--survey", slug)],
               *[arg for slug in single for arg in ("--single", slug)]]
    done = subprocess.run(command, env=app_environment(url, var_dir, data_dir), cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"prepare failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def app_environment(url: str, var_dir: Path | None = None, data_dir: str | None = None) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    env.setdefault("ATOUT_LOG_LEVEL", "WARNING")
    if var_dir is not None:
        env["ATOUT_VAR_DIR"] = str(var_dir)
    if data_dir:
        env["ATOUT_DATA_DIR"] = data_dir
    return env


def _prepare_main(args) -> None:
    import django

    started = time.perf_counter()
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if args.schema == "models":
        class NoMigrations:
            def __contains__(self, item):
                return True

            def __getitem__(self, item):
                return None

        settings.MIGRATION_MODULES = NoMigrations()
        call_command("migrate", run_syncdb=True, verbosity=0)
    else:
        call_command("migrate", verbosity=0)
    schema_seconds = time.perf_counter() - started

    from atout.consultation import demo, services
    from atout.consultation.models import Survey
    from atout.processes.models import Process
    from atout.territories.models import Level, Territory

    started = time.perf_counter()
    data = Path(os.environ.get("ATOUT_DATA_DIR", ""))
    if not Territory.objects.filter(level=Level.COMMUNE).exists():
        if args.geography == "full":
            from atout.territories import importer

            importer.import_geography({key: data / rel for key, rel in importer.GEO_FILES.items()})
        else:
            _drome_only(data)
    geography_seconds = time.perf_counter() - started
    department = Territory.objects.get(level=Level.DEPARTEMENT, code="26")
    process, _created = Process.objects.get_or_create(
        slug=PROCESS, defaults={"title": "Banc d'essai de charge", "territory": department})
    for slug in args.survey:
        survey = services.import_form(demo.questionnaire(), process, slug=slug, status=Survey.Status.OPEN,
                                      new_version=True)  # a prepared database prepared again
        survey.consent_purpose = "Mesurer la capacité du service (banc d'essai)."
        survey.layout = Survey.Layout.SINGLE if slug in args.single else Survey.Layout.PAGES
        survey.save(update_fields=["consent_purpose", "layout"])
    print(json.dumps({"schema_seconds": round(schema_seconds, 1), "geography_seconds": round(geography_seconds, 1),
                      "communes": department.communes().count(), "surveys": args.survey}))


def _drome_only(data: Path) -> None:
    """The Drôme and its communes from the COG file (no EPCI, no contours): enough for the profile page."""
    import csv

    from atout.territories.models import Level, Territory

    department = Territory.objects.create(level=Level.DEPARTEMENT, code="26", name="Drôme")
    with open(data / "geo" / "cog-communes-2025.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["TYPECOM"] == "COM" and r["DEP"] == "26"]
    Territory.objects.bulk_create([Territory(level=Level.COMMUNE, code=r["COM"], name=r["LIBELLE"], parent=department)
                                   for r in rows])


# ---------------------------------------------------------------------------------------------
# gunicorn


def free_port(candidates) -> int:
    """The first of ``candidates`` nobody listens on (127.0.0.1)."""
    import socket

    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port among {list(candidates)}")


class Server:
    """gunicorn serving atout on ``127.0.0.1:port`` with ``workers`` sync workers and ``--preload``.
    Use as a context manager; the server (and only it) is stopped on exit."""

    def __init__(self, url: str, port: int, *, workers: int = 4, var_dir: Path | None = None, log: Path | None = None,
                 proxies: int = 0):
        self.url, self.port, self.workers, self.var_dir = url, port, workers, var_dir
        self.log = log
        self.proxies = proxies  # ATOUT_TRUSTED_PROXIES: clients named by X-Forwarded-For, as behind nginx
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        output = open(self.log, "wb") if self.log else subprocess.DEVNULL  # noqa: SIM115 - closed in __exit__
        self._output = output
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "atout.wsgi", "--preload", "--workers", str(self.workers),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5"],
            env=dict(app_environment(self.url, self.var_dir), ATOUT_TRUSTED_PROXIES=str(self.proxies)), cwd=ROOT,
            stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode} (log: {self.log})")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer within 90 s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._output not in (None, subprocess.DEVNULL):
            self._output.close()


# ---------------------------------------------------------------------------------------------
# Virtual respondents (run inside the load process, or in a test for one respondent)

TEXTS = [
    "Les paysages de la Drôme provençale et le climat", "La qualité de vie et les produits locaux",
    "Le manque de transports en commun entre les vallées", "Le logement devient cher pour les jeunes",
    "La vallée du Rhône est bien desservie mais saturée", "Les associations et la vie de village",
    "Il faut plus de médecins dans le Diois", "Le Vercors pour le sport en plein air",
]
FORM = re.compile(r'<form method="post" class="survey-form".*?</form>', re.S)
INPUT = re.compile(r"<input\b[^>]*>", re.S)
SELECT = re.compile(r'<select name="([^"]+)"[^>]*>(.*?)</select>', re.S)
TEXTAREA = re.compile(r'<textarea name="([^"]+)"', re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
OPTION = re.compile(r'<option value="([^"]*)"')
RECEIPT = re.compile(r'id="receipt-id">([A-Z0-9-]+)<')
HONEYPOT = "site_web"


class GaveUp(Exception):
    """A respondent stopped: an unexpected status, or too many attempts."""


@dataclass
class Stats:
    """What the respondents saw; shared by the threads of one load process (under ``lock``)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    receipts: list[str] = field(default_factory=list)
    submissions_seconds: list[float] = field(default_factory=list)
    unavailable: int = 0
    retry_after: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.statuses[status] += 1

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


def source_address(index: int) -> str:
    """A distinct loopback address per respondent (Linux routes all of 127.0.0.0/8 to ``lo``)."""
    return f"127.{1 + index // 62500}.{(index // 250) % 250}.{index % 250 + 1}"


class Respondent:
    """One person answering the survey through HTTP, like a browser without JavaScript."""

    def __init__(self, base: str, survey: str, index: int, stats: Stats, *, seed: int = 0,
                 max_attempts: int = 40, retry_cap: float = 5.0):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.start_path = f"/consultation/{PROCESS}/q/{survey}/"
        self.index, self.stats = index, stats
        self.address = source_address(index)
        self.rng = random.Random(seed * 1_000_003 + index)
        self.cookies: dict[str, str] = {}
        self.max_attempts, self.retry_cap = max_attempts, retry_cap

    def send(self, method: str, path: str, fields=None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One HTTP request with this respondent's cookies and source address, nothing retried.
        Output: (status, headers, body). Raises OSError / HTTPException on a connection failure."""
        body = urllib.parse.urlencode(fields, doseq=True) if fields is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "User-Agent": "atout-loadgen"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(self.address, 0))
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _sep, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, content

    def request(self, kind: str, method: str, path: str, fields=None, *, expect=(200, 302)):
        """Send one request, again after a 503 (waiting ``Retry-After``, capped) or a connection
        error. Output: (status, Location path or '', body). Raises GaveUp on any other status."""
        for _attempt in range(self.max_attempts):
            started = time.perf_counter()
            try:
                status, headers, content = self.send(method, path, fields)
            except (OSError, http.client.HTTPException) as exc:
                self.stats.error(f"connection {type(exc).__name__} ({kind})")
                time.sleep(min(1.0, self.retry_cap))
                continue
            self.stats.record(kind, time.perf_counter() - started, status)
            if status == 503:
                advised = headers.get("Retry-After")
                with self.stats.lock:
                    self.stats.unavailable += 1
                    self.stats.retry_after[advised or "missing"] += 1
                time.sleep(min(float(advised or 1), self.retry_cap))
                continue
            if status not in expect:
                self.stats.error(f"HTTP {status} ({kind})")
                raise GaveUp(f"{method} {path}: HTTP {status}")
            location = urllib.parse.urlsplit(headers.get("Location") or "").path
            return status, location, content.decode("utf-8", "replace")
        self.stats.error(f"gave up after {self.max_attempts} attempts ({kind})")
        raise GaveUp(f"{method} {path}: {self.max_attempts} attempts")

    def answers(self, html: str) -> dict:
        """Form fields answering the page in ``html``: a random offered choice for each radio
        group and list, up to three boxes ticked (never "other"), a unique text in free fields."""
        form = FORM.search(html)
        if form is None:
            raise GaveUp("no survey form on the page")
        form = form.group(0)
        fields: dict[str, list[str] | str] = {}
        radios: dict[str, list[str]] = {}
        boxes: dict[str, list[str]] = {}
        for tag in INPUT.findall(form):
            attrs = dict(ATTR.findall(tag))
            name, kind = attrs.get("name", ""), attrs.get("type", "text")
            if not name:
                continue
            if kind == "hidden":  # repeated names (the one-page layout's "shown") make a list
                value = attrs.get("value", "")
                earlier = fields.get(name)
                fields[name] = value if earlier is None else [*(earlier if isinstance(earlier, list) else [earlier]), value]
            elif kind == "radio":
                radios.setdefault(name, []).append(attrs["value"])
            elif kind == "checkbox":
                boxes.setdefault(name, []).append(attrs["value"])
            elif name.endswith("_other"):
                fields[name] = ""
            elif "min" in attrs and "max" in attrs:
                fields[name] = str(self.rng.randint(int(float(attrs["min"])), int(float(attrs["max"]))))
            else:
                fields[name] = self._text()
        for name, values in radios.items():
            fields[name] = self.rng.choice(values)
        for name, values in boxes.items():
            offered = [v for v in values if v != "other"]
            fields[name] = self.rng.sample(offered, self.rng.randint(0, min(3, len(offered))))
        for name, options in SELECT.findall(form):
            values = [v for v in OPTION.findall(options) if v]
            if values and "__" not in name:
                fields[name] = self.rng.choice(values)
        for name in TEXTAREA.findall(form):
            fields[name] = self._text()
        fields["action"] = "next"
        return fields

    def _text(self) -> str:
        return f"{self.rng.choice(TEXTS)} (répondant {self.index})"

    def whole(self, html: str) -> dict:
        """Form fields answering the whole one-page questionnaire in ``html``, consent given."""
        fields = self.answers(html)
        fields.pop("action", None)
        fields.update({"consent": "yes", HONEYPOT: ""})
        return fields

    def run(self) -> str:
        """The whole flow (paged or one-page layout, as the survey is set). Output: the receipt id
        read on the receipt page (paged) or in the acknowledgement itself (one-page)."""
        started = time.perf_counter()
        _status, _location, html = self.request("get consent page", "GET", self.start_path, expect=(200,))
        if 'name="shown"' in html:  # one-page layout: the questions come with the consent
            _status, _location, html = self.request("post final page (stores)", "POST", self.start_path,
                                                    self.whole(html), expect=(200,))
            return self._acknowledged(html, started)
        _status, path, _html = self.request("post consent", "POST", self.start_path, {
            "csrfmiddlewaretoken": _csrf(html), "consent": "yes", HONEYPOT: ""}, expect=(302,))
        for _page in range(30):
            if path.endswith("/recu/"):
                break
            _status, _location, html = self.request("get page", "GET", path, expect=(200,))
            last = "Envoyer mes réponses" in html
            fields = self.answers(html)
            _status, path, _html = self.request("post final page (stores)" if last else "post page", "POST", path,
                                                fields, expect=(302,))
        else:
            raise GaveUp("more than 30 pages")
        _status, _location, html = self.request("get receipt", "GET", path, expect=(200,))
        return self._acknowledged(html, started)

    def _acknowledged(self, html: str, started: float) -> str:
        found = RECEIPT.search(html)
        if found is None:
            self.stats.error("receipt page without a receipt id")
            raise GaveUp("receipt page without a receipt id")
        with self.stats.lock:
            self.stats.receipts.append(found.group(1))
            self.stats.submissions_seconds.append(time.perf_counter() - started)
        return found.group(1)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if found is None:
        raise GaveUp("no CSRF token on the page")
    return found.group(1)


def _load_main(args) -> None:
    """The load process: ``submissions`` respondents over ``concurrency`` threads. Prints
    ``progress <finished> <acknowledged>`` lines as it goes, then ``result <json>``."""
    stats = Stats()
    counter = iter(range(args.submissions))
    counter_lock = threading.Lock()
    finished = [0]
    step = max(1, args.submissions // 100)

    def worker():
        while True:
            with counter_lock:
                index = next(counter, None)
            if index is None:
                return
            try:
                Respondent(args.url, args.survey, args.offset + index, stats, seed=args.seed,
                           max_attempts=args.max_attempts, retry_cap=args.retry_cap).run()
            except GaveUp:
                pass
            except Exception as exc:  # a bug of the generator must show, not hide in a thread
                stats.error(f"generator {type(exc).__name__}: {exc}")
            with counter_lock:
                finished[0] += 1
                if finished[0] % step == 0:
                    print(f"progress {finished[0]} {len(stats.receipts)}", flush=True)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    result = {
        "submissions": args.submissions, "concurrency": args.concurrency, "seconds": seconds,
        "receipts": stats.receipts, "latencies": stats.latencies, "statuses": dict(stats.statuses),
        "errors": dict(stats.errors), "unavailable": stats.unavailable, "retry_after": dict(stats.retry_after),
        "submission_seconds": stats.submissions_seconds,
    }
    print("result " + json.dumps(result), flush=True)


class Load:
    """The load process, started with :meth:`start`; :meth:`progress` yields (finished, acknowledged)
    as it goes (to trigger a fault mid-run), :meth:`result` waits for the end."""

    def __init__(self, base: str, survey: str, submissions: int, concurrency: int, *, seed: int = 1,
                 offset: int = 0, max_attempts: int = 40, retry_cap: float = 5.0):
        self.command = [sys.executable, str(Path(__file__).resolve()), "load", "--url", base, "--survey", survey,
                        "--submissions", str(submissions), "--concurrency", str(concurrency), "--seed", str(seed),
                        "--offset", str(offset), "--max-attempts", str(max_attempts), "--retry-cap", str(retry_cap)]
        self.process: subprocess.Popen | None = None
        self._result: dict | None = None

    def start(self) -> Load:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        return self

    def progress(self):
        for line in self.process.stdout:
            if line.startswith("progress "):
                finished, acknowledged = map(int, line.split()[1:3])
                yield finished, acknowledged
            elif line.startswith("result "):
                self._result = json.loads(line[len("result "):])

    def result(self) -> dict:
        for _item in self.progress():
            pass
        code = self.process.wait()
        if code != 0 or self._result is None:
            raise RuntimeError(f"the load process failed with {code}")
        return self._result

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()


# ---------------------------------------------------------------------------------------------
# CPU time (Linux /proc): what a submission costs, whatever else the machine is doing

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class CpuMeter:
    """CPU seconds used by the gunicorn workers and by the PostgreSQL server processes of one
    database between :meth:`start` and :meth:`stop`. A process that appeared in between counts
    for all its CPU time; one that ended in between is lost (the figure is then a lower bound)."""

    def __init__(self, server: Server, database: str):
        self.server, self.database = server, database

    def _sample(self) -> tuple[dict[int, float], dict[int, float]]:
        workers = {pid: _cpu_seconds(pid) for pid in _children(self.server.process.pid)}
        with _admin() as conn:
            pids = [pid for (pid,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                   [self.database]).fetchall()]
        return workers, {pid: _cpu_seconds(pid) for pid in pids}

    def start(self) -> CpuMeter:
        self.before = self._sample()
        self.seen: tuple[dict[int, float], dict[int, float]] = ({}, {})
        return self

    def tick(self) -> None:
        """Sample again (call it often: a connection closed since the last sample loses its CPU time)."""
        import psycopg

        try:
            samples = self._sample()
        except psycopg.Error:  # the server is restarting: sample at the next tick
            return
        for seen, sample in zip(self.seen, samples, strict=True):
            for pid, value in sample.items():
                seen[pid] = max(value, seen.get(pid, 0.0))

    def stop(self) -> dict:
        self.tick()
        app, database = (sum(v - before.get(pid, 0.0) for pid, v in seen.items())
                         for seen, before in zip(self.seen, self.before, strict=True))
        return {"app_cpu_seconds": app, "database_cpu_seconds": database}


# ---------------------------------------------------------------------------------------------
# Reporting


def percentile(values: list[float], q: float) -> float:
    """``q``-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(result: dict, check: dict) -> dict:
    """Figures of one run: throughput, latency percentiles (ms), errors, acknowledged vs stored."""
    every = [s for values in result["latencies"].values() for s in values]
    final = result["latencies"].get("post final page (stores)", [])
    requests = sum(result["statuses"].values())
    receipts = result["receipts"]
    return {
        "submissions": result["submissions"], "concurrency": result["concurrency"], "seconds": result["seconds"],
        "acknowledged": len(receipts), "distinct_receipts": len(set(receipts)),
        "stored": check["stored"], "missing": check["missing"], "partial": check["partial"], "answers": check["answers"],
        "submissions_per_s": len(receipts) / result["seconds"], "requests_per_s": requests / result["seconds"],
        "requests": requests, "statuses": result["statuses"], "errors": result["errors"],
        "unavailable": result["unavailable"], "retry_after": result["retry_after"],
        "latency_ms": {name: {p: 1000 * percentile(values, p) for p in (50, 95, 99)}
                       for name, values in [("all requests", every), ("final POST (stores)", final),
                                            ("whole submission", result["submission_seconds"])]},
        "server_errors": {s: n for s, n in result["statuses"].items() if int(s) >= 500 and int(s) != 503},
    }


def format_summary(figures: dict) -> str:
    lines = [
        f"  {figures['submissions']} submissions, concurrency {figures['concurrency']}: {figures['seconds']:.1f} s, "
        f"{figures['submissions_per_s']:.1f} submissions/s, {figures['requests_per_s']:.0f} requests/s "
        f"({figures['requests']} requests)",
    ]
    for name, values in figures["latency_ms"].items():
        lines.append(f"  latency {name}: p50 {values[50]:.0f} ms, p95 {values[95]:.0f} ms, p99 {values[99]:.0f} ms")
    lines.append(f"  HTTP statuses: {dict(sorted(figures['statuses'].items()))}; 503 answered: {figures['unavailable']} "
                 f"(Retry-After: {figures['retry_after'] or '-'})")
    lines.append(f"  errors by kind: {figures['errors'] or 'none'}")
    lines.append(f"  acknowledged (receipts read) {figures['acknowledged']} vs stored (submitted in the database) "
                 f"{figures['stored']}; acknowledged but missing from the database: {len(figures['missing'])}; "
                 f"partial (started, not submitted): {figures['partial']}; answer rows {figures['answers']}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="atout load harness (see the module docstring)")
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare")
    prep.add_argument("--schema", choices=["migrate", "models"], default="migrate")
    prep.add_argument("--geography", choices=["full", "drome"], default="full")
    prep.add_argument("--survey", action="append", default=[])
    prep.add_argument("--single", action="append", default=[], help="a survey (among --survey) in the one-page layout")
    load = commands.add_parser("load")
    load.add_argument("--url", required=True)
    load.add_argument("--survey", required=True)
    load.add_argument("--submissions", type=int, default=2000)
    load.add_argument("--concurrency", type=int, default=16)
    load.add_argument("--seed", type=int, default=1)
    load.add_argument("--offset", type=int, default=0, help="first respondent index (distinct source addresses)")
    load.add_argument("--max-attempts", type=int, default=40)
    load.add_argument("--retry-cap", type=float, default=5.0)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        _prepare_main(args)
    else:
        _load_main(args)


if __name__ == "__main__":
    main()
