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
  (d) the journey, scripted: seconds from the wizard's "Launch" (store_launch_from_template, the
      service its view calls) of a USD store to its first order confirmed by the ERP, placed by
      a buyer of a customer the store file serves (cart and checkout services, the worker
      carrying the order to the ERP); "journey_s" in the JSON.
Every store is rendered from the b2b-store site template into a scratch brands directory and
launched through the pipeline with the ERP mapping check on, against the reference ERP started
here (infra/local/erp, from STOREFLEET_ERP_HOME's cached build; "erp_checked": true). The code
measured is the committed HEAD, exported to a scratch folder, so edits made in the working tree
while the benchmark runs (it takes minutes) do not change what is measured.
Last line: one JSON object.
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
from bench_storefront import LUA, REPO, VENV_BIN, free_port, manage, redis_answers, serve, wrk
from cookiecutter.main import cookiecutter

sys.path[:0] = [str(REPO)]
from tests.erp_support import ErpServer  # noqa: E402

STORES = int(os.environ.get("BENCH_STORES", "50"))
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
ANSWER_TIMEOUT = 120
# The Redis databases of the two platforms' caches; BENCH_REDIS_DBS=none: file caches instead
# (a machine whose Redis databases belong to someone else).
REDIS_DBS = (
    (-1, -1)
    if os.environ.get("BENCH_REDIS_DBS") == "none"
    else tuple(int(x) for x in os.environ.get("BENCH_REDIS_DBS", "11,12").split(","))
)


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


def environment(
    work: Path, name: str, brands: Path, cache_db: int, erp: ErpServer
) -> dict[str, str]:
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
        "ERP_URL": erp.url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CACHE_URL": (
            f"redis://127.0.0.1:6379/{cache_db}"
            if redis_answers() and cache_db >= 0
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
    command += ["--inline"] if inline else []  # the ERP mapping check on, as by default
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


# Run in the platform's own process (the embedded default's settings), printing one JSON line.
JOURNEY = r"""
import json, time, uuid
from decimal import Decimal
import django
django.setup()
from django.contrib.auth import get_user_model
from storefleet.accounts.models import Company, MemberRole
from storefleet.accounts.principal import Principal
from storefleet.accounts.services import membership_create
from storefleet.ordering.cart import cart_line_add
from storefleet.ordering.checkout import CheckoutRequest, order_place
from storefleet.ordering.models import Order, OrderStatus
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.provisioning.services import store_launch_from_template
from storefleet.tenants.selectors import store_for_hostname

def wait(check, what, timeout=300):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)

started = time.monotonic()
run = store_launch_from_template(
    template="b2b-store",
    answers={
        "brand_name": "Journey Fluid Power", "slug": "journey", "hostname": "journey.localhost",
        "region": "North America", "currency": "USD", "country": "US", "erp_warehouse": "WH-US",
        "assortment": "HYD,PNE", "featured_skus": "HYD-1002,PNE-1001",
        "legal_name": "Journey Fluid Power Inc.", "address": "1 Main St; Cleveland, OH; US",
    },
    check_erp=True,
)
def finished():
    run.refresh_from_db()
    return run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)
wait(finished, "the launch")
if run.status != RunStatus.SUCCEEDED:
    raise SystemExit(f"the journey's launch failed: {run.error}")
launched = time.monotonic() - started
company = Company.objects.get(code="C-1006", stores__slug="journey")
buyer = get_user_model().objects.create_user("buyer@journey.example", "buyer@journey.example")
membership = membership_create(company=company, user=buyer, role=MemberRole.BUYER)
store = store_for_hostname("journey.localhost")
principal = Principal.for_member(store=store, membership=membership)
cart_line_add(principal=principal, sku="HYD-1002", quantity=Decimal(2))
address = company.addresses.filter(is_ship_to=True, active=True).first()
order = order_place(
    principal=principal,
    request=CheckoutRequest(
        submit_token=uuid.uuid4().hex, ship_to_id=address.id, po_number="PO-JOURNEY-1"
    ),
)
def confirmed():
    order.refresh_from_db()
    return order.status in (OrderStatus.CONFIRMED, OrderStatus.REFUSED)
wait(confirmed, "the order's confirmation")
if order.status != OrderStatus.CONFIRMED or order.currency != "USD":
    raise SystemExit(f"the journey's order ended {order.status} in {order.currency}")
print(json.dumps({"journey_s": time.monotonic() - started, "launched_s": launched}))
"""


def journey(env: dict[str, str]) -> tuple[float, float]:
    """(d): wizard launch to the first ERP-confirmed order; returns (journey, launch part)."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", JOURNEY],
        cwd=bench_storefront.PLATFORM,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the scripted journey failed:\n{done.stdout}{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["journey_s"], figures["launched_s"]


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is needed for this benchmark: apt-get install wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    brands = work / "brands"
    script = work / "p95.lua"
    script.write_text(LUA)
    processes: list[subprocess.Popen[bytes]] = []
    erp = ErpServer(free_port(), work / "erp")
    try:
        erp.data_dir.mkdir(parents=True)
        erp.start(fresh=True)  # the cached, seeded reference ERP: its build is not timed
        # manage() and serve() run from bench_storefront.PLATFORM: point it at the snapshot.
        bench_storefront.PLATFORM = snapshot(work / "src")
        render_brands(bench_storefront.PLATFORM.parent / "site_templates", brands, STORES)
        env_many = environment(work, "many", brands, REDIS_DBS[0], erp)
        env_two = environment(work, "two", brands, REDIS_DBS[1], erp)
        for env in (env_many, env_two):
            manage(env, "migrate", "--noinput")
            manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
        # The platform's catalog mirror, as on any platform with an ERP (not timed).
        manage(env_many, "erp_sync", "--only", "products")
        server_many, base_many = serve(env_many)
        processes.append(server_many)
        # The worker's smoke tests request the stores from this server, over HTTP.
        env_many["STOREFLEET_WEB_ADDRESS"] = base_many.removeprefix("http://")
        processes.append(worker(env_many, work / "worker.log"))
        wait_until_ready(work / "worker.log")
        print(
            f"embedded default: sqlite, cache {env_many['CACHE_URL'].split(':')[0]}, filesystem "
            f"broker, celery worker (solo), gunicorn -w 2; {STORES} stores from b2b-store; "
            "ERP mapping check on (reference ERP)"
        )
        times = []
        for index in range(1, STORES + 1):
            times.append(launch(env_many, brands, index, base_many, inline=False))
            if index in (1, 2, 10, 25, STORES) or index % 10 == 0:
                print(f"  store {index:2d}: {times[-1]:.2f} s from launch to answering")
        # The baseline database: the same first two stores, launched the same way.
        server_two, base_two = serve(env_two)
        processes.append(server_two)
        env_two["STOREFLEET_WEB_ADDRESS"] = base_two.removeprefix("http://")
        for index in (1, 2):
            launch(env_two, brands, index, base_two, inline=True)
        journey_s, journey_launch_s = journey(env_many)
        print(
            f"  journey: {journey_s:.2f} s from the wizard's launch to the first confirmed order "
            f"({journey_launch_s:.2f} s of it launching)"
        )

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
        erp.stop()
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
    print(
        f"(d) journey, wizard launch to first ERP-confirmed order: {journey_s:.2f} s = "
        f"{journey_s / first:.2f} x the first store's launch"
    )
    print(f"errors or non-2xx responses: {errors}")
    print(
        json.dumps(
            {
                "bench": "launch",
                "launch_s": round(first, 2),
                "fiftieth_vs_first": round(last / first, 3),
                "home_50_stores_vs_2": round(home_many / home_two, 3),
                "erp_checked": True,
                "journey_s": round(journey_s, 2),
            }
        )
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
