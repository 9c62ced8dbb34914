"""Benchmark: survey submissions through HTTP into PostgreSQL, with and without a database restart.

Bar (../shared/PRODUCT.md): ≥ 500 responses/s sustained, p95 < 150 ms, zero acknowledged response lost
(PostgreSQL alone, same data shape, does ~5,300/s on the reference machine).

What it does (``bench/loadgen.py`` holds the pieces, shared with tests/consultation/test_load_short.py):

1. creates a fresh PostgreSQL database (default ``atout_bench_load``), runs the real migrations, imports
   the official geography (``ATOUT_DATA_DIR``) and publishes the Drôme perception questionnaire of the
   demo (~26 answer rows per response with the profile) in a process ``bench``;
2. starts gunicorn (``--preload``, ``--workers`` sync workers, default 4) on 127.0.0.1:``--port``;
3. ``--flow one-page`` (default): the survey in the one-page layout, where one request carries a whole
   response (consent, every answer) and its acknowledgement carries the receipt id. The load comes from
   ``wrk`` (a separate C process; ``make bench-tools`` installs it) with ``bench/wrk_submit.lua``: for
   ``--duration`` seconds, ``--concurrency`` connections POST whole responses generated beforehand
   from the real form (each answer set distinct, CSRF cookie and token from a real GET). gunicorn is
   told it stands behind one reverse proxy (``ATOUT_TRUSTED_PROXIES=1``, as behind nginx in
   production) and each body is sent with its own ``X-Forwarded-For`` address, so the survey's
   per-address rate limit (30 an hour) applies as it would to residents answering from their homes.
   ``--flow paged``: the paged layout, ``--submissions`` virtual respondents doing the real flow of
   a browser without JavaScript (consent page, CSRF, 4 pages GET + POST, receipt page: 11 requests
   per submission), each from its own loopback address;
   both report throughput, latency percentiles, statuses and errors; acknowledged (receipts read) is
   compared with stored (submitted responses in the database, and every acknowledged receipt looked up);
4. ``--restart``: virtual respondents (Python, the chosen layout) on another survey while PostgreSQL is
   restarted mid-run (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``, needs root and
   disturbs every other user of the server): counts the 503s, checks no receipt is shown for a response
   not stored;
5. pgbench on the same server and database: one transaction inserting a response row and 26 answer
   rows into scratch copies of the two tables (same columns and indexes), ``-c C -j 2 -T 20``;
   our submissions/s are printed as a fraction of its transactions/s.

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/submissions_load.py [--flow one-page|paged]
[--duration 30] [--submissions 2000] [--concurrency 16] [--workers 4] [--restart]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # noqa: E402

PGBENCH_SCRIPT = """\\set answers 26
BEGIN;
INSERT INTO bench_response (survey_id, version_id, status, started_at, submitted_at, receipt, progress, consent_at,
    age_band, sex, profile_status, fingerprint, simulated, source, external_id)
VALUES (1, 1, 'submitted', now(), now(), upper(left(md5(random()::text), 14)), '{}', now(), '30-44', 'F', 'resident',
    md5(random()::text), false, 'web', '') RETURNING id \\gset
INSERT INTO bench_answer (survey_id, response_id, question, choice, number, text, position)
SELECT 1, :id, 'question_' || g, CASE WHEN g <= 20 THEN (g % 5 + 1)::text ELSE '' END,
    CASE WHEN g <= 20 THEN g % 5 + 1 END,
    CASE WHEN g > 24 THEN 'Les paysages de la Drôme provençale et le climat' ELSE '' END, 0
FROM generate_series(1, :answers) g;
COMMIT;
"""


def machine(url: str) -> str:
    import psycopg

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal")) / 1024 / 1024
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("shared_buffers", "synchronous_commit", "max_connections")}
    load = os.getloadavg()
    return (f"machine: {os.cpu_count()} cores ({model}), {memory:.0f} GB RAM, {platform.platform()}, Python "
            f"{platform.python_version()}; PostgreSQL {version} ({', '.join(f'{k}={v}' for k, v in settings.items())}) "
            f"on the same machine; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (machine shared with other "
            f"engineers' jobs); {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


def run(server: loadgen.Server, survey: str, args, *, offset: int, restart: bool = False) -> dict:
    meter = loadgen.CpuMeter(server, args.database).start()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = loadgen.Load(server.base, survey, args.submissions, args.concurrency, seed=args.seed, offset=offset,
                        retry_cap=args.retry_cap).start()
    restart_seconds = None
    at = int(args.submissions * args.restart_at)
    for finished, _acknowledged in load.progress():
        meter.tick()
        if restart and restart_seconds is None and finished >= at:
            version = sorted(os.listdir("/etc/postgresql"))[-1]
            print(f"  restarting PostgreSQL {version} after {finished} finished submissions…", flush=True)
            started = time.perf_counter()
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
            restart_seconds = time.perf_counter() - started
            print(f"  PostgreSQL back after {restart_seconds:.1f} s", flush=True)
    result = load.result()
    cpu = meter.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["load_generator_cpu_seconds"] = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    check = loadgen.stored(server.url, survey, result["receipts"])
    figures = loadgen.summary(result, check)
    figures["restart_seconds"] = restart_seconds
    acknowledged = max(1, figures["acknowledged"])
    figures["cpu_ms_per_submission"] = {name.removesuffix("_cpu_seconds"): 1000 * value / acknowledged
                                        for name, value in cpu.items()}
    return figures


def run_wrk(server: loadgen.Server, survey: str, args, var_dir: Path) -> dict:
    """One-page layout under wrk: whole responses POSTed for ``args.duration`` seconds."""
    stats = loadgen.Stats()
    first = loadgen.Respondent(server.base, survey, 0, stats, seed=args.seed)
    _status, _location, html = first.request("get consent page", "GET", first.start_path, expect=(200,))
    cookie = "; ".join(f"{k}={v}" for k, v in first.cookies.items())
    bodies = var_dir / f"bodies-{survey}.txt"
    with bodies.open("w") as out:  # enough for args.max_rate submissions/s; each used once
        for index in range(args.duration * args.max_rate):
            respondent = loadgen.Respondent(server.base, survey, index, stats, seed=args.seed)
            out.write(urllib.parse.urlencode(respondent.whole(html), doseq=True) + "\n")
    env = dict(os.environ, ATOUT_WRK_BODIES=str(bodies), ATOUT_WRK_COOKIE=cookie, ATOUT_WRK_PATH=first.start_path,
               ATOUT_WRK_THREADS=str(args.wrk_threads))
    meter = loadgen.CpuMeter(server, args.database).start()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = var_dir / f"wrk-{survey}.txt"  # a file, not a pipe: the receipts line is long
    with report.open("w") as handle:
        wrk = subprocess.Popen(["wrk", f"-t{args.wrk_threads}", f"-c{args.concurrency}", f"-d{args.duration}s",
                                "--timeout", "10s", "-s", str(Path(__file__).with_name("wrk_submit.lua")), server.base],
                               env=env, stdout=handle, stderr=subprocess.STDOUT)
        while wrk.poll() is None:
            meter.tick()
            time.sleep(0.5)
    output = report.read_text()
    cpu = meter.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["load_generator_cpu_seconds"] = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    bodies.unlink()
    line = next((row for row in output.splitlines() if row.startswith("WRK-RESULT ")), None)
    if wrk.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({wrk.returncode}):\n{output[-3000:]}")
    result = json.loads(line.removeprefix("WRK-RESULT "))
    receipts = [r for thread in result["threads"] for r in thread["receipts"].split()]
    statuses: dict[str, int] = {}
    for thread in result["threads"]:
        for status, count in thread["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    check = loadgen.stored(server.url, survey, receipts)
    acknowledged = max(1, len(receipts))
    return {
        "seconds": result["duration_s"], "requests": result["requests"], "acknowledged": len(receipts),
        "distinct_receipts": len(set(receipts)), "stored": check["stored"], "missing": check["missing"],
        "answers": check["answers"], "submissions_per_s": len(receipts) / result["duration_s"],
        "statuses": statuses, "socket_errors": result["errors"],
        "bodies_reused": sum(thread["wrapped"] for thread in result["threads"]),
        "latency_ms": {"final POST (stores)": {50: result["latency_ms"]["50"], 95: result["latency_ms"]["95"],
                                               99: result["latency_ms"]["99"]}},
        "server_errors": {s: n for s, n in statuses.items() if int(s) >= 500},
        "cpu_ms_per_submission": {name.removesuffix("_cpu_seconds"): 1000 * value / acknowledged
                                  for name, value in cpu.items()},
    }


def format_wrk(figures: dict) -> str:
    latency = figures["latency_ms"]["final POST (stores)"]
    return "\n".join([
        f"  {figures['requests']} requests in {figures['seconds']:.1f} s: {figures['submissions_per_s']:.1f} "
        f"acknowledged submissions/s (one request each)",
        f"  latency of the storing POST: p50 {latency[50]:.0f} ms, p95 {latency[95]:.0f} ms, p99 {latency[99]:.0f} ms",
        f"  HTTP statuses: {dict(sorted(figures['statuses'].items()))}; socket errors: {figures['socket_errors']}; "
        f"generated bodies sent twice: {figures['bodies_reused']}",
        f"  acknowledged (receipts read) {figures['acknowledged']} vs stored (submitted in the database) "
        f"{figures['stored']}; acknowledged but missing from the database: {len(figures['missing'])}; "
        f"stored but not acknowledged (in flight when wrk stopped, at most one per connection): "
        f"{figures['stored'] - figures['acknowledged']}; answer rows {figures['answers']}",
    ])


def format_cpu(figures: dict, requests: int = 11) -> str:
    per = figures["cpu_ms_per_submission"]
    server = per["app"] + per["database"]
    return (f"  CPU per submission ({requests} request{'s' if requests > 1 else ''}): gunicorn workers {per['app']:.1f} ms, "
            f"PostgreSQL {per['database']:.1f} ms, "
            f"load generator {per['load_generator']:.1f} ms → one dedicated core serves ~{1000 / server:.0f} "
            f"submissions/s ({1000 / per['app']:.0f}/s for the application alone)")


def pgbench(url: str, database: str, clients: int, seconds: int) -> float:
    """Transactions/s of a bare insert of one response and its answers (scratch tables)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_answer, bench_response")
        conn.execute("CREATE TABLE bench_response (LIKE consultation_response INCLUDING ALL)")
        conn.execute("CREATE TABLE bench_answer (LIKE consultation_answer INCLUDING ALL)")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    try:
        done = subprocess.run(["pgbench", "-n", "-f", script.name, "-c", str(clients), "-j", "2", "-T", str(seconds),
                               "-h", "127.0.0.1", "-U", "postgres", database], capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_answer, bench_response")
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if found is None:
        raise RuntimeError(f"pgbench output not understood:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1))


def consistent(figures: dict, args) -> bool:
    """Every acknowledged submission is stored. wrk stops at its deadline without reading the answers
    still on their way: those submissions (at most one per connection) are stored, never acknowledged,
    as when a respondent closes the page while it loads. The virtual respondents always finish."""
    if "bodies_reused" in figures:  # wrk
        return 0 <= figures["stored"] - figures["acknowledged"] <= args.concurrency
    return figures["stored"] == figures["acknowledged"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flow", choices=["one-page", "paged"], default="one-page")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load (one-page flow, wrk)")
    parser.add_argument("--max-rate", type=int, default=1500, help="bodies generated per second of --duration")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--submissions", type=int, default=2000, help="virtual respondents (paged flow, restart)")
    parser.add_argument("--concurrency", type=int, default=16, help="simultaneous virtual respondents")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8642)
    parser.add_argument("--database", default="atout_bench_load")
    parser.add_argument("--restart", action="store_true", help="also run with a PostgreSQL restart mid-run")
    parser.add_argument("--restart-at", type=float, default=0.4, help="fraction of the run when PostgreSQL restarts")
    parser.add_argument("--only-restart", action="store_true", help="skip the run without restart")
    parser.add_argument("--retry-cap", type=float, default=5.0, help="longest wait after a 503 (s)")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--pgbench-clients", type=int, default=None, help="default: --concurrency")
    parser.add_argument("--reuse", action="store_true", help="reuse a database prepared by an earlier run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--var", default=str(loadgen.ROOT / "var" / "bench-load"))
    args = parser.parse_args()
    if not os.environ.get("ATOUT_DATA_DIR"):
        sys.exit("ATOUT_DATA_DIR must point at the offline mirror of the official data (e.g. ../shared/data)")
    var_dir = Path(args.var)
    var_dir.mkdir(parents=True, exist_ok=True)
    url = loadgen.database_url(args.database)
    print(machine(loadgen.database_url("postgres")))
    stamp = dt.datetime.now(dt.UTC).strftime("%H%M%S")
    surveys = {"warm": f"echauffement-{stamp}", "plain": f"charge-{stamp}", "restart": f"redemarrage-{stamp}"}
    started = time.perf_counter()
    if not args.reuse:
        loadgen.create_database(args.database)
    one_page = args.flow == "one-page"
    if one_page and shutil.which("wrk") is None:
        sys.exit("wrk is needed for the one-page flow: run `make bench-tools` (Debian package wrk)")
    report = loadgen.prepare(url, list(surveys.values()), schema="migrate", geography="full",
                             data_dir=os.environ["ATOUT_DATA_DIR"], var_dir=var_dir,
                             single=tuple(surveys.values()) if one_page else ())
    print(f"database {args.database}: migrations {report['schema_seconds']} s, geography {report['geography_seconds']} s "
          f"({report['communes']} communes in the Drôme); prepared in {time.perf_counter() - started:.0f} s")
    results = {}
    offset = int(stamp) * 10  # distinct source addresses from one run to the next (rate limit per hour)
    layout = "one-page layout (1 request per submission)" if one_page else "paged layout (11 requests per submission)"
    with loadgen.Server(url, args.port, workers=args.workers, var_dir=var_dir, log=var_dir / "gunicorn.log",
                        proxies=1) as server:
        warm = loadgen.Load(server.base, surveys["warm"], 4 * args.workers, args.concurrency, offset=offset).start().result()
        print(f"gunicorn: {args.workers} sync workers, --preload; {layout}; warm-up {len(warm['receipts'])} submissions")
        if not args.only_restart and one_page:
            print(f"\nsubmissions without fault (wrk, {args.concurrency} connections, {args.duration} s):")
            results["plain"] = run_wrk(server, surveys["plain"], args, var_dir)
            print(format_wrk(results["plain"]))
            print(format_cpu(results["plain"], requests=1))
        elif not args.only_restart:
            print(f"\nsubmissions without fault ({args.submissions}, concurrency {args.concurrency}):")
            results["plain"] = run(server, surveys["plain"], args, offset=offset + 10_000)
            print(loadgen.format_summary(results["plain"]))
            print(format_cpu(results["plain"]))
        if args.restart:
            print(f"\nsubmissions with a PostgreSQL restart at {args.restart_at:.0%} of the run:")
            results["restart"] = run(server, surveys["restart"], args, offset=offset + 20_000, restart=True)
            print(loadgen.format_summary(results["restart"]))
            print(format_cpu(results["restart"], requests=2 if one_page else 11))
    clients = args.pgbench_clients or args.concurrency
    tps = pgbench(url, args.database, clients, args.pgbench_seconds)
    print(f"\npgbench, bare insert of 1 response + 26 answer rows per transaction, -c {clients} -j 2 "
          f"-T {args.pgbench_seconds}: {tps:.0f} transactions/s")
    for name, figures in results.items():
        fraction = figures["submissions_per_s"] / tps
        print(f"{name}: {figures['submissions_per_s']:.1f} submissions/s = {fraction:.2%} of pgbench; "
              f"p95 of the storing POST {figures['latency_ms']['final POST (stores)'][95]:.0f} ms; "
              f"acknowledged {figures['acknowledged']}, stored {figures['stored']}: "
              f"{'consistent' if consistent(figures, args) and not figures['missing'] else 'NO'}; "
              f"false acknowledgements {len(figures['missing'])}")
    print("bars: ≥ 500 responses/s, p95 < 150 ms, zero acknowledged response lost")
    print(f"load average at the end {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    (var_dir / f"result-{stamp}.json").write_text(json.dumps({"pgbench_tps": tps, **results}, indent=1, default=str))
    if not args.keep:
        loadgen.drop_database(args.database)
    failed = [n for n, f in results.items() if f["missing"] or f["server_errors"] or not consistent(f, args)
              or f["distinct_receipts"] != f["acknowledged"]]
    if failed:
        sys.exit(f"FAILED: {', '.join(failed)} (acknowledged ≠ stored, a false acknowledgement, or a 5xx other than 503)")


if __name__ == "__main__":
    main()
