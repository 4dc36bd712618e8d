"""Storefront throughput: `make bench-storefront`.

gunicorn with 2 sync workers on loopback, wrk as the load (2 threads, 16 connections), and in
the same run:
  (a) a trivial Django view through the same middleware — the ceiling on this machine;
  (b) each demo brand's anonymous home page;
  (c) the same home pages with 100 stores in the database.
Figures are ratios against (a), measured in this run (the machine is shared and noisy).
Targets: (b) >= 50% of (a); (c) within 10% of (b). Last line: one JSON object.

Uses PostgreSQL and Redis when DATABASE_URL / CACHE_URL say so (as in production), else SQLite
and Redis on 127.0.0.1:6379 if it answers, else the file cache of the embedded default.
"""

from __future__ import annotations

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
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLATFORM = REPO / "platform"
VENV_BIN = Path(sys.executable).parent
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
  io.write(string.format("ERRORS %d\\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
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


def wrk(
    url: str, host: str, script: Path, seconds: int, cookie: str = ""
) -> tuple[float, float, int]:
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
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    p95_ms = int(re.search(r"P95_US (\d+)", result.stdout).group(1)) / 1000  # type: ignore[union-attr]
    errors = int(re.search(r"ERRORS (\d+)", result.stdout).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return rps, p95_ms, errors + (int(non2xx.group(1)) if non2xx else 0)


EXTRA_STORES = "\n".join(
    [
        "from storefleet.tenants.services import StoreSpec, store_create",
        "for i in range(98):",
        "    store_create(spec=StoreSpec(slug=f'bench{i}', name=f'Bench store {i}', brand='Bench',"
        " region='Europe', hostname=f'bench{i}.localhost', currency='EUR', country='DE',"
        " status='live'))",
    ]
)


COOKIES = {"ferrum_render": "sessionid=anonymous-bench"}


def prepare(work: Path, name: str, cache_db: int, *, stores: int) -> dict[str, str]:
    """A database with the demo stores (and more), and the environment to serve it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefleet.settings.local",
        "DJANGO_DEBUG": "false",
        "STOREFLEET_VAR_DIR": str(work / name),
        "STOREFLEET_BENCH_VIEWS": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "DATABASE_URL": f"sqlite:///{work / name / 'bench.sqlite3'}",
        "CACHE_URL": (
            f"redis://127.0.0.1:6379/{cache_db}"
            if redis_answers()
            else f"filecache://{work / name / 'cache'}"
        ),
    }
    (work / name).mkdir(parents=True)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
    manage(env, "demo_stores")
    if stores > 2:
        manage(env, "shell", "-c", EXTRA_STORES.replace("range(98)", f"range({stores - 2})"))
    return env


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "storefleet.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=PLATFORM,
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


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is needed for this benchmark: apt-get install wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-storefront-"))
    script = work / "p95.lua"
    script.write_text(LUA)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        env_2 = prepare(work, "two", 13, stores=2)
        env_100 = prepare(work, "hundred", 14, stores=100)
        print(
            f"database: sqlite, cache: {env_2['CACHE_URL'].split(':')[0]}; "
            f"gunicorn -w 2; wrk -t2 -c16 -d{DURATION}s x {ROUNDS} rounds, interleaved"
        )
        server_2, base_2 = serve(env_2)
        servers.append(server_2)
        server_100, base_100 = serve(env_100)
        servers.append(server_100)
        # (name, base url, path, host): one server under load at a time, in alternation, so
        # drift on this shared machine hits every target alike.
        targets = [
            ("ceiling", base_2, "/bench/trivial", "localhost"),
            ("ferrum", base_2, "/", "ferrum.localhost"),
            ("hydra", base_2, "/", "hydra.localhost"),
            ("ferrum_100", base_100, "/", "ferrum.localhost"),
            ("hydra_100", base_100, "/", "hydra.localhost"),
            # With a session cookie the page cache is bypassed: the cost of a full render.
            ("ferrum_render", base_2, "/", "ferrum.localhost"),
        ]
        for _name, base, path, host in targets:  # warm-up: imports done, caches filled
            wrk(base + path, host, script, 2, COOKIES.get(_name, ""))
        runs: dict[str, list[tuple[float, float, int]]] = {t[0]: [] for t in targets}
        for _ in range(ROUNDS):
            for name, base, path, host in targets:
                time.sleep(1)  # let queued requests drain before the next target
                runs[name].append(wrk(base + path, host, script, DURATION, COOKIES.get(name, "")))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)

    def rps(name: str) -> float:
        return statistics.median(r[0] for r in runs[name])

    def p95(name: str) -> float:
        return statistics.median(r[1] for r in runs[name])

    ceiling = rps("ceiling")
    errors = sum(r[2] for results in runs.values() for r in results)
    print(f"(a) trivial view (ceiling):  {ceiling:,.0f} req/s, p95 {p95('ceiling'):.1f} ms")
    for brand in ("ferrum", "hydra"):
        print(
            f"(b) {brand} home, 2 stores:   {rps(brand):,.0f} req/s = "
            f"{rps(brand) / ceiling:.2f} x (a), p95 {p95(brand):.1f} ms"
        )
        print(
            f"(c) {brand} home, 100 stores: {rps(brand + '_100'):,.0f} req/s = "
            f"{rps(brand + '_100') / rps(brand):.2f} x (b), p95 {p95(brand + '_100'):.1f} ms"
        )
    render = rps("ferrum_render")
    print(
        f"(d) ferrum home rendered (page cache bypassed): {render:,.0f} req/s = "
        f"{render / ceiling:.2f} x (a), p95 {p95('ferrum_render'):.1f} ms"
    )
    home_rps = statistics.mean([rps("ferrum"), rps("hydra")])
    home_100 = statistics.mean([rps("ferrum_100"), rps("hydra_100")])
    home_p95 = max(p95("ferrum"), p95("hydra"))
    print(f"errors or non-2xx responses: {errors}")
    print(
        f"targets: (b) >= 0.50 x (a): {home_rps / ceiling:.2f}; "
        f"(c) within 10% of (b): {home_100 / home_rps:.2f}"
    )
    print(
        json.dumps(
            {
                "bench": "storefront",
                "ceiling_rps": round(ceiling),
                "home_rps": round(home_rps),
                "home_vs_ceiling": round(home_rps / ceiling, 3),
                "home_p95_ms": round(home_p95, 2),
                "home_100_stores_vs_2": round(home_100 / home_rps, 3),
                "home_rendered_vs_ceiling": round(render / ceiling, 3),
            }
        )
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
