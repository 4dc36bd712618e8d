"""Launching stores: `make bench-launch`.

On the embedded default (local settings: SQLite, the filesystem Celery broker, a Celery worker
with the solo pool as `make demo` runs it, gunicorn -w 2 serving the stores):
  (a) seconds from `storefleet launch brands/<slug>` to the store's home page answering 200 on
      its host — the first store of an empty platform (target <= 10 s);
  (b) 50 stores launched one after another, each timed the same way: the 50th's time against
      the 1st's (target <= 1.2);
  (c) storefront home page throughput with those 50 stores against a second database where only
      the first 2 were launched (target within 10%): the same two stores' home pages, both
      databases served side by side (gunicorn -w 2 each) and measured alternately with wrk,
      as in bench_storefront.py.
Every store is rendered from the b2b-store site template into a scratch brands directory and
launched through the pipeline (ERP check skipped: no ERP runs here). The code measured is the
committed HEAD, exported to a scratch folder, so edits made in the working tree while the
benchmark runs (it takes minutes) do not change what is measured. Last line: one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import bench_storefront
from bench_storefront import LUA, REPO, VENV_BIN, manage, redis_answers, serve, wrk
from cookiecutter.main import cookiecutter

STORES = int(os.environ.get("BENCH_STORES", "50"))
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
ANSWER_TIMEOUT = 120


def slug(index: int) -> str:
    return f"bench{index:02d}"


def snapshot(src: Path) -> Path:
    """The committed tree, exported; returns its platform folder."""
    src.mkdir()
    archive = subprocess.run(
        ["git", "archive", "HEAD"], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    return src / "platform"


def render_brands(templates: Path, brands: Path, count: int) -> None:
    for index in range(1, count + 1):
        cookiecutter(
            str(templates / "b2b-store"),
            no_input=True,
            output_dir=str(brands),
            extra_context={
                "brand_name": f"Bench {index:02d} Components",
                "slug": slug(index),
                "hostname": f"{slug(index)}.localhost",
            },
        )


def environment(work: Path, name: str, brands: Path, cache_db: int) -> dict[str, str]:
    var = work / name
    var.mkdir(parents=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefleet.settings.local",
        "DJANGO_DEBUG": "false",
        "STOREFLEET_VAR_DIR": str(var),
        "STOREFLEET_BRANDS_DIR": str(brands),
        "STOREFLEET_SITE_TEMPLATES_DIR": str(bench_storefront.PLATFORM.parent / "site_templates"),
        "PYTHONPATH": str(bench_storefront.PLATFORM),
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
        "CACHE_URL": (
            f"redis://127.0.0.1:6379/{cache_db}"
            if redis_answers()
            else f"filecache://{var / 'cache'}"
        ),
    }


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The embedded default's worker (infra/local/Procfile)."""
    return subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "storefleet",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=bench_storefront.PLATFORM,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_until_ready(log: Path, timeout: float = 120) -> None:
    """The embedded default's worker is up before anyone launches: do not time its start."""
    deadline = time.monotonic() + timeout
    while " ready." not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start; see {log}")
        time.sleep(0.2)


def answers(base: str, host: str) -> bool:
    request = urllib.request.Request(f"{base}/", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def launch(env: dict[str, str], brands: Path, index: int, base: str, *, inline: bool) -> float:
    """Seconds from `storefleet launch` until the store answers 200 on its host."""
    started = time.monotonic()
    command = [str(VENV_BIN / "python"), "-m", "storefleet.provisioning.cli", "launch"]
    command += [str(brands / slug(index))]
    command += ["--skip-erp-check", *(["--inline"] if inline else [])]
    done = subprocess.run(
        command,
        cwd=bench_storefront.PLATFORM,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"storefleet launch {slug(index)} failed:\n{done.stdout}{done.stderr}")
    host = f"{slug(index)}.localhost"
    while not answers(base, host):
        if time.monotonic() - started > ANSWER_TIMEOUT:
            raise RuntimeError(f"{host} did not answer within {ANSWER_TIMEOUT} s")
        time.sleep(0.05)
    return time.monotonic() - started


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is needed for this benchmark: apt-get install wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    brands = work / "brands"
    script = work / "p95.lua"
    script.write_text(LUA)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # manage() and serve() run from bench_storefront.PLATFORM: point it at the snapshot.
        bench_storefront.PLATFORM = snapshot(work / "src")
        render_brands(bench_storefront.PLATFORM.parent / "site_templates", brands, STORES)
        env_many = environment(work, "many", brands, 11)
        env_two = environment(work, "two", brands, 12)
        for env in (env_many, env_two):
            manage(env, "migrate", "--noinput")
            manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
        server_many, base_many = serve(env_many)
        processes.append(server_many)
        processes.append(worker(env_many, work / "worker.log"))
        wait_until_ready(work / "worker.log")
        print(
            f"embedded default: sqlite, cache {env_many['CACHE_URL'].split(':')[0]}, filesystem "
            f"broker, celery worker (solo), gunicorn -w 2; {STORES} stores from b2b-store"
        )
        times = []
        for index in range(1, STORES + 1):
            times.append(launch(env_many, brands, index, base_many, inline=False))
            if index in (1, 2, 10, 25, STORES) or index % 10 == 0:
                print(f"  store {index:2d}: {times[-1]:.2f} s from launch to answering")
        # The baseline database: the same first two stores, launched the same way.
        server_two, base_two = serve(env_two)
        processes.append(server_two)
        for index in (1, 2):
            launch(env_two, brands, index, base_two, inline=True)

        targets = [
            (f"{name}_{count}", base, f"{name}.localhost")
            for name in (slug(1), slug(2))
            for count, base in ((2, base_two), (STORES, base_many))
        ]
        for _name, base, host in targets:  # warm-up: imports done, page caches filled
            wrk(base + "/", host, script, 2)
        runs: dict[str, list[tuple[float, float, int]]] = {t[0]: [] for t in targets}
        for _ in range(ROUNDS):
            for name, base, host in targets:
                time.sleep(1)
                runs[name].append(wrk(base + "/", host, script, DURATION))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)

    def rps(name: str) -> float:
        return statistics.median(r[0] for r in runs[name])

    errors = sum(r[2] for results in runs.values() for r in results)
    first, last = times[0], times[-1]
    steady = statistics.median(times[-3:]) / statistics.median(times[:3])
    home_two = statistics.mean(rps(f"{slug(i)}_2") for i in (1, 2))
    home_many = statistics.mean(rps(f"{slug(i)}_{STORES}") for i in (1, 2))
    print(f"(a) launch to answering, first store: {first:.2f} s (target <= 10 s)")
    print(
        f"(b) store {STORES}: {last:.2f} s = {last / first:.2f} x store 1 (target <= 1.2); "
        f"median of the last 3 / first 3: {steady:.2f}; mean {statistics.mean(times):.2f} s"
    )
    for index in (1, 2):
        name = slug(index)
        print(
            f"(c) {name} home: {rps(f'{name}_2'):,.0f} req/s with 2 stores, "
            f"{rps(f'{name}_{STORES}'):,.0f} req/s with {STORES} = "
            f"{rps(f'{name}_{STORES}') / rps(f'{name}_2'):.2f} x"
        )
    print(f"    home with {STORES} stores vs 2: {home_many / home_two:.2f} (target >= 0.90)")
    print(f"errors or non-2xx responses: {errors}")
    print(
        json.dumps(
            {
                "bench": "launch",
                "launch_s": round(first, 2),
                "fiftieth_vs_first": round(last / first, 3),
                "home_50_stores_vs_2": round(home_many / home_two, 3),
            }
        )
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
