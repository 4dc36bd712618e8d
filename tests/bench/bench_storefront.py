"""Storefront throughput: `make bench-storefront`.

gunicorn with 2 sync workers on loopback, wrk as the load (2 threads, 16 connections), and in
the same run:
  (a) a trivial Django view through the same middleware — the ceiling on this machine;
  (a') the same trivial view in a bare Django (tests/bench/bare_wsgi.py: no project middleware,
      no apps), served by gunicorn with the same settings — a second ceiling;
  (b) each demo brand's anonymous home page;
  (c) the same home pages with 100 stores in the database;
  (e) many buyers at once: BENCH_BUYERS (1,000) buyers of BENCH_COMPANIES (200) companies, each
      company an ERP customer of its own in the reference ERP started here (prices are the
      ERP's), each buyer opening 5 catalog pages (the list, a category, 3 products) in a fresh
      signed-in session: the buyer page cache is cold for every buyer's first view of a page.
      wrk replays the buyers' sessions in turn (storefront_buyers.py makes them); every round
      gets fresh sessions. Before the rounds, one buyer of each company opens its five pages
      once (what a store with buyers at work has: the company's prices, stock and pages known),
      so the rounds measure fresh sessions, not an empty platform. How the buyer page cache
      answered (the buyer's session, the company's page, a page past its life served while one
      refresh makes it again, rendered) is printed; pages are kept with the platform's default
      life and stale window (brand/buyer_cache.py), which the warm-up's length is measured
      against, and with the ERP change watch on as by default (erp/watch.py: every 10 s the
      ERP is asked whether anything prices or stock are made of changed; while it answers
      "nothing", pages and the gateway's answers outlive their TTLs, up to 15 minutes).
      The web runs beside a Celery worker and beat, as deployed (infra/local/Procfile, the AWS
      stack): the beat's schedule (the change watch, the ERP mirrors, the outbox sweep) runs
      whether buyers are asking or not, as it does in production.
Figures are ratios against (a) (and (e) against (a') too), measured in this run (the machine is
shared and noisy). Targets: (b) >= 50% of (a); (c) within 10% of (b); (e) >= 0.3 x (a) with a
p95 <= 100 ms. Last line: one JSON object.

Uses PostgreSQL and Redis when DATABASE_URL / CACHE_URL say so (as in production), else SQLite
and Redis on 127.0.0.1:6379 if it answers (databases 13 and 14, or BENCH_REDIS_DBS="x,y"), else
the file cache of the embedded default. BENCH_REDIS_DBS=none: file caches; BENCH_REDIS_DBS=own:
a Redis server of the bench's own on a free port (a machine whose Redis belongs to others).
Environment: BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_BUYERS (1000), BENCH_COMPANIES (200;
at most BENCH_BUYERS), BENCH_BUYERS=0 skips (e) and the ERP.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLATFORM = REPO / "platform"
BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
BUYERS = int(os.environ.get("BENCH_BUYERS", "1000"))
COMPANIES = min(int(os.environ.get("BENCH_COMPANIES", "200")), BUYERS)
REDIS_DBS = os.environ.get("BENCH_REDIS_DBS", "13,14")
# BENCH_MIX_ONLY=1: the ceilings and (e) only (no 100-store database, no home pages).
MIX_ONLY = os.environ.get("BENCH_MIX_ONLY", "") == "1"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
  io.write(string.format("ERRORS %d\\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
# Many buyers (e): each wrk thread replays its share of the lines of a sessions file (cookie,
# tab, path), in turn, and counts how the buyer page cache answered.
LUA_BUYERS = """
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
init = function(args)
  local every = tonumber(args[2])
  requests, n, hits, shared, misses, other, stale = {}, 0, 0, 0, 0, 0, 0
  local index = 0
  for line in io.lines(args[1]) do
    if index % every == id then
      local cookie, path = line:match("^([^\\t]*)\\t(.*)$")
      table.insert(requests, wrk.format("GET", path, {["Cookie"] = cookie}))
    end
    index = index + 1
  end
end
request = function()
  n = n + 1
  return requests[(n - 1) % #requests + 1]
end
response = function(status, headers, body)
  local how = headers["X-Storefleet-Cache"]
  if how == "hit" then hits = hits + 1 elseif how == "hit-company" then shared = shared + 1
  elseif how == "miss" then misses = misses + 1
  elseif how == "hit-stale" or how == "hit-company-stale" then stale = stale + 1
  else other = other + 1 end
end
done = function(summary, latency, requests)
  local hit, company, miss, none, lines, old = 0, 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    hit = hit + thread:get("hits")
    old = old + thread:get("stale")
    company = company + thread:get("shared")
    miss = miss + thread:get("misses")
    none = none + thread:get("other")
    lines = lines + #thread:get("requests")
  end
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
  io.write(string.format("ERRORS %d\\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("CACHE %d %d %d %d %d %d\\n", hit, company, miss, none, lines, old))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers(port: int = 6379) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=PLATFORM,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wrk_output(
    url: str, host: str, script: Path, seconds: int, cookie: str = "", args: Sequence[str] = ()
) -> str:
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        [
            "wrk",
            *extra,
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            "-H",
            f"Host: {host}",
            url,
            *(["--", *args] if args else []),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def wrk_figures(output: str) -> tuple[float, float, int]:
    """Requests per second, p95 in ms, errors and non-2xx/3xx answers."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p95_ms = int(re.search(r"P95_US (\d+)", output).group(1)) / 1000  # type: ignore[union-attr]
    errors = int(re.search(r"ERRORS (\d+)", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p95_ms, errors + (int(non2xx.group(1)) if non2xx else 0)


def wrk(
    url: str, host: str, script: Path, seconds: int, cookie: str = ""
) -> tuple[float, float, int]:
    return wrk_figures(wrk_output(url, host, script, seconds, cookie))


EXTRA_STORES = "\n".join(
    [
        "from storefleet.provisioning.stores import store_open",
        "from storefleet.tenants.services import StoreSpec",
        "for i in range(98):",
        "    store_open(spec=StoreSpec(slug=f'bench{i}', name=f'Bench store {i}', brand='Bench',"
        " region='Europe', hostname=f'bench{i}.localhost', currency='EUR', country='DE',"
        " status='live'))",
    ]
)


COOKIES = {"ferrum_render": "sessionid=anonymous-bench"}


def cache_url(work: Path, name: str, cache_db: int, redis_port: int | None) -> str:
    if redis_port is not None:
        return f"redis://127.0.0.1:{redis_port}/{cache_db}"
    if REDIS_DBS != "none" and redis_answers():
        return f"redis://127.0.0.1:6379/{REDIS_DBS.split(',')[cache_db - 13]}"
    return f"filecache://{work / name / 'cache'}"


def prepare(
    work: Path,
    name: str,
    cache_db: int,
    *,
    stores: int,
    redis_port: int | None = None,
    erp_url: str = "",
) -> dict[str, str]:
    """A database with the demo stores (and more), and the environment to serve it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefleet.settings.local",
        "DJANGO_DEBUG": "false",
        "STOREFLEET_VAR_DIR": str(work / name),
        "STOREFLEET_BENCH_VIEWS": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": str(PLATFORM),
        "DATABASE_URL": f"sqlite:///{work / name / 'bench.sqlite3'}",
        "CACHE_URL": cache_url(work, name, cache_db, redis_port),
        **({"ERP_URL": erp_url} if erp_url else {}),
    }
    (work / name).mkdir(parents=True)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
    manage(env, "demo_stores")
    if stores > 2:
        manage(env, "shell", "-c", EXTRA_STORES.replace("range(98)", f"range({stores - 2})"))
    return env


def serve(
    env: dict[str, str], app: str = "storefleet.wsgi", cwd: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            app,
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # BENCH_ACCESS_LOG=file: each request's time (ms), status, path and how the buyer
            # page cache answered, to see where a tail comes from (slows the server a little).
            *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
            *(
                [
                    "--access-logfile",
                    f"{os.environ['BENCH_ACCESS_LOG']}.{port}",
                    "--access-logformat",
                    "%(M)s %(s)s %({x-storefleet-cache}o)s %(U)s%(q)s",
                ]
                if os.environ.get("BENCH_ACCESS_LOG")
                else []
            ),
        ],
        cwd=cwd or PLATFORM,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz")


def schedule(env: dict[str, str], work: Path) -> subprocess.Popen[bytes]:
    """The platform's Celery worker with its beat beside the web, as deployed (one process
    here: the bench's broker is the embedded default's filesystem broker)."""
    return subprocess.Popen(
        [
            *(str(VENV_BIN / "celery"), "-A", "storefleet", "--quiet", "worker", "--beat"),
            *("--pool=solo", "--concurrency=1", "--loglevel=WARNING"),
            *("--schedule", str(work / "celerybeat-schedule")),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
        ],
        cwd=PLATFORM,
        env=env,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def own_redis(work: Path) -> Iterator[int | None]:
    """A Redis server of the bench's own (BENCH_REDIS_DBS=own), stopped afterwards."""
    if REDIS_DBS != "own":
        yield None
        return
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(work)),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if redis_answers(port):
                break
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def buyers_prepare(work: Path, env: dict[str, str], erp: object) -> list[str]:
    """(e): the ERP's customers, their companies, buyers and BENCH_ROUNDS + 1 session sets (the
    first for the warm-up); returns the paths of the first company's five pages."""
    from storefront_buyers import erp_customers_create

    erp_customers_create(erp.client(), COMPANIES)  # type: ignore[attr-defined]
    manage(env, "demo_buyers", "--wait", "60")  # mirrors products and customers, opens stores
    done = subprocess.run(
        [
            *(str(VENV_BIN / "python"), str(BENCH / "storefront_buyers.py"), str(work)),
            *(str(COMPANIES), str(BUYERS // COMPANIES), str(ROUNDS + 1), "ferrum.localhost"),
        ],
        cwd=PLATFORM,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"making the buyers failed:\n{done.stdout}{done.stderr}")
    made = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"(e) {made['buyers']} buyers of {made['companies']} companies (ERP customers "
        f"C-5001..), 5 pages each, e.g. {', '.join(made['paths'])}"
    )
    return list(made["paths"])


def drain(base: str) -> None:
    """Wait until the server has answered what the last load left queued (its sync workers take
    requests in order): the next target is measured on an idle server."""
    urllib.request.urlopen(f"{base}/healthz", timeout=120).read()


def warm_companies(base: str, host: str, sessions: Path, count: int) -> tuple[int, float]:
    """The first ``count`` lines of a sessions file (one buyer of each company, its five pages),
    requested once, four at a time; returns (answers other than 200, seconds)."""
    lines = [line.split("\t") for line in sessions.read_text().splitlines()[:count]]

    def get(line: list[str]) -> int:
        cookie, path = line
        request = urllib.request.Request(base + path, headers={"Host": host, "Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                return int(response.status)
        except OSError:
            return 0

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(get, lines))
    return sum(1 for status in statuses if status != 200), time.monotonic() - started


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    """Stop the servers; one whose workers are still busy (a loaded machine: gunicorn waits for
    them) is killed rather than losing the run's figures."""
    while servers:
        server = servers.pop()
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is needed for this benchmark: apt-get install wrk", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    work = Path(tempfile.mkdtemp(prefix="bench-storefront-"))
    script = work / "p95.lua"
    script.write_text(LUA)
    buyers_script = work / "buyers.lua"
    buyers_script.write_text(LUA_BUYERS)
    servers: list[subprocess.Popen[bytes]] = []
    erp = None
    cache_hits: list[tuple[int, ...]] = []
    try:
        with own_redis(work) as redis_port:
            if BUYERS:
                sys.path[:0] = [str(REPO)]
                from tests.erp_support import ErpServer

                erp = ErpServer(free_port(), work / "erp")
                erp.data_dir.mkdir(parents=True)
                erp.start(fresh=True)  # the cached, seeded reference ERP
            env_2 = prepare(
                work, "two", 13, stores=2, redis_port=redis_port, erp_url=erp.url if erp else ""
            )
            env_100 = (
                env_2
                if MIX_ONLY
                else prepare(work, "hundred", 14, stores=100, redis_port=redis_port)
            )
            if erp is not None:
                started = time.monotonic()
                buyers_prepare(work, env_2, erp)
                print(f"    (set up in {time.monotonic() - started:.0f} s)")
            print(
                f"database: sqlite, cache: {env_2['CACHE_URL'].split(':')[0]}; "
                f"gunicorn -w 2{' with a Celery worker and beat' if erp else ''}; "
                f"wrk -t2 -c16 -d{DURATION}s x {ROUNDS} rounds, interleaved"
            )
            server_2, base_2 = serve(env_2)
            servers.append(server_2)
            if erp is not None:
                servers.append(schedule(env_2, work))
            server_100, base_100 = (server_2, base_2) if MIX_ONLY else serve(env_100)
            if not MIX_ONLY:
                servers.append(server_100)
            bare, base_bare = serve(env_2, "bare_wsgi:application", BENCH)
            servers.append(bare)
            # (name, base url, path, host): one server under load at a time, in alternation,
            # so drift on this shared machine hits every target alike.
            targets = [
                ("ceiling", base_2, "/bench/trivial", "localhost"),
                ("ceiling_bare", base_bare, "/bench/trivial", "localhost"),
                ("ferrum", base_2, "/", "ferrum.localhost"),
                ("hydra", base_2, "/", "hydra.localhost"),
                ("ferrum_100", base_100, "/", "ferrum.localhost"),
                ("hydra_100", base_100, "/", "hydra.localhost"),
                # With a session cookie the page cache is bypassed: the cost of a full render.
                ("ferrum_render", base_2, "/", "ferrum.localhost"),
                *([("mix", base_2, "/", "ferrum.localhost")] if erp is not None else []),
            ]
            if MIX_ONLY:
                targets = [t for t in targets if t[0] in ("ceiling", "ceiling_bare", "mix")]

            def measure(name: str, base: str, path: str, host: str, seconds: int, n: int) -> str:
                if name == "mix":  # session set n: fresh sessions for every round
                    sessions = str(work / f"sessions-{n}.tsv")
                    return wrk_output(base, host, buyers_script, seconds, args=[sessions, "2"])
                return wrk_output(base + path, host, script, seconds, COOKIES.get(name, ""))

            for target in targets:  # warm-up: imports done, caches filled
                measure(*target, 2, 0)
                drain(target[1])
            if erp is not None:
                failed, took = warm_companies(
                    base_2, "ferrum.localhost", work / "sessions-0.tsv", COMPANIES * 5
                )
                print(
                    f"    (one buyer of each company opened its pages: {took:.0f} s, "
                    f"{failed} answers other than 200)"
                )
            runs: dict[str, list[tuple[float, float, int]]] = {t[0]: [] for t in targets}
            for round_number in range(1, ROUNDS + 1):
                for target in targets:
                    time.sleep(1)
                    for base in {t[1] for t in targets}:
                        drain(base)  # what the last target left queued is answered first
                    output = measure(*target, DURATION, round_number)
                    runs[target[0]].append(wrk_figures(output))
                    if found := re.search(r"CACHE (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output):
                        cache_hits.append(tuple(int(x) for x in found.groups()))
            stop(servers)  # before their Redis server stops
    finally:
        stop(servers)
        if erp is not None:
            erp.stop()
        shutil.rmtree(work, ignore_errors=True)

    def rps(name: str) -> float:
        return statistics.median(r[0] for r in runs[name])

    def p95(name: str) -> float:
        return statistics.median(r[1] for r in runs[name])

    ceiling = rps("ceiling")
    bare = rps("ceiling_bare")
    errors = sum(r[2] for results in runs.values() for r in results)
    print(f"(a) trivial view (ceiling):  {ceiling:,.0f} req/s, p95 {p95('ceiling'):.1f} ms")
    print(
        f"(a') trivial view, bare Django (no project middleware): {bare:,.0f} req/s, "
        f"p95 {p95('ceiling_bare'):.1f} ms; (a) = {ceiling / bare:.2f} x (a')"
    )
    for brand in () if MIX_ONLY else ("ferrum", "hydra"):
        print(
            f"(b) {brand} home, 2 stores:   {rps(brand):,.0f} req/s = "
            f"{rps(brand) / ceiling:.2f} x (a), p95 {p95(brand):.1f} ms"
        )
        print(
            f"(c) {brand} home, 100 stores: {rps(brand + '_100'):,.0f} req/s = "
            f"{rps(brand + '_100') / rps(brand):.2f} x (b), p95 {p95(brand + '_100'):.1f} ms"
        )
    figures: dict[str, object] = {}
    if not MIX_ONLY:
        render = rps("ferrum_render")
        print(
            f"(d) ferrum home rendered (page cache bypassed): {render:,.0f} req/s = "
            f"{render / ceiling:.2f} x (a), p95 {p95('ferrum_render'):.1f} ms"
        )
        home_rps = statistics.mean([rps("ferrum"), rps("hydra")])
        home_100 = statistics.mean([rps("ferrum_100"), rps("hydra_100")])
        print(
            f"targets: (b) >= 0.50 x (a): {home_rps / ceiling:.2f}; "
            f"(c) within 10% of (b): {home_100 / home_rps:.2f}"
        )
        figures = {
            "home_rps": round(home_rps),
            "home_vs_ceiling": round(home_rps / ceiling, 3),
            "home_p95_ms": round(max(p95("ferrum"), p95("hydra")), 2),
            "home_100_stores_vs_2": round(home_100 / home_rps, 3),
            "home_rendered_vs_ceiling": round(render / ceiling, 3),
        }
    if "mix" in runs:
        mix = rps("mix")
        hits, company, misses, rendered, lines, stale = (
            sum(c[i] for c in cache_hits) for i in range(6)
        )
        passes = (hits + company + misses + rendered + stale) / max(1, lines)
        print(
            f"(e) {BUYERS} buyers of {COMPANIES} companies, fresh sessions: {mix:,.0f} req/s = "
            f"{mix / ceiling:.2f} x (a) = {mix / bare:.2f} x (a'), p95 {p95('mix'):.1f} ms; "
            f"buyer page cache: {hits} session hits, {company} company hits, {stale} served "
            f"stale while made again, {misses} rendered and kept, {rendered} rendered, not kept "
            f"({passes:.2f} passes over the buyers' pages per round)"
        )
        print(f"targets (e): >= 0.30 x (a): {mix / ceiling:.2f}; p95 <= 100 ms: {p95('mix'):.1f}")
        figures |= {
            "mix_rps": round(mix),
            "mix_vs_ceiling": round(mix / ceiling, 3),
            "mix_vs_ceiling_bare": round(mix / bare, 3),
            "mix_p95_ms": round(p95("mix"), 2),
            "mix_served_stale": round(
                stale / max(1, hits + company + misses + rendered + stale), 3
            ),
        }
    print(f"errors or non-2xx responses: {errors}")
    print(
        json.dumps(
            {
                "bench": "storefront",
                "ceiling_rps": round(ceiling),
                "ceiling_bare_rps": round(bare),
                **figures,
            }
        )
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
