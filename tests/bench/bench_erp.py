"""ERP reads through the gateway against the same reads over raw JSON-RPC: `make bench-erp`.

One customer (C-1001, its own price list) and 50 SKUs in warehouse WH-EU, against a reference
ERP started here from a fresh copy of the seeded database:
  raw   — the two JSON-RPC requests the reads need (prices at the customer's price list, projected
          stock), ids known in advance, one pooled HTTP session: the floor;
  cold  — price + availability through the gateway with its cache emptied before each round;
  warm  — the same, answered from the cache.
And the seconds of a full sync of the seeded catalog and customers into the platform.
Targets: cold <= 1.3 x raw; warm >= 100 x faster than cold; <= 2 backend calls for 50 SKUs;
full sync < 30 s. Figures are medians; ratios are taken within this run. Last line: JSON.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ERPCTL = REPO / "infra" / "local" / "erp" / "erpctl.py"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARM_ROUNDS = int(os.environ.get("BENCH_WARM_ROUNDS", "300"))
CUSTOMER, WAREHOUSE, STORE = "C-1001", "WH-EU", "bench"


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


def start_erp(work: Path) -> tuple[subprocess.Popen[bytes], int, dict]:  # type: ignore[type-arg]
    port = free_port()
    log = open(work / "erp.log", "w")  # noqa: SIM115 - the server writes to it until the end
    server = subprocess.Popen(
        [
            sys.executable,
            str(ERPCTL),
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(work / "erp"),
            "--fresh",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 900
    while "ERP ready:" not in (work / "erp.log").read_text(errors="replace"):
        if server.poll() is not None or time.monotonic() > deadline:
            print((work / "erp.log").read_text(errors="replace")[-4000:], file=sys.stderr)
            raise SystemExit("the reference ERP did not start")
        time.sleep(0.2)
    manifest = json.loads((work / "erp" / "seed_manifest.json").read_text())
    return server, port, manifest


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-erp-"))
    server, port, manifest = start_erp(work)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.local",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "STOREFLEET_VAR_DIR": str(work / "var"),
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "CACHE_URL": "redis://127.0.0.1:6379/15" if redis_answers() else "locmemcache://",
            "ERP_URL": f"http://127.0.0.1:{port}/",
        }
    )
    sys.path.insert(0, str(REPO / "platform"))
    import django

    django.setup()
    import httpx
    from django.core.cache import cache
    from django.core.management import call_command

    from storefleet.erp.gateway import get_gateway
    from storefleet.erp.sync import erp_sync
    from storefleet.erp.types import LineQuery

    try:
        call_command("migrate", verbosity=0)
        cache.clear()
        customer = next(c for c in manifest["customers"] if c["code"] == CUSTOMER)
        warehouse = next(w for w in manifest["warehouses"] if w["code"] == WAREHOUSE)
        products = [p for p in manifest["products"] if p.get("stocked_in")][:50]
        skus = [p["sku"] for p in products]
        ids = [p["id"] for p in products]
        lines = [LineQuery(sku, Decimal(1)) for sku in skus]

        # raw JSON-RPC: log in once, then exactly the two reads, ids known in advance
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        password = os.environ.get("STOREFLEET_ERP_PASSWORD") or "admin"
        login = http.post(
            "/storefleet/rpc/",
            json={
                "id": 1,
                "method": "common.db.login",
                "params": ["admin", {"password": password}, "en"],
            },
        ).json()["result"]
        token = base64.b64encode(f"admin:{login[0]}:{login[1]}".encode()).decode()
        http.headers["Authorization"] = f"Session {token}"
        context = http.post(
            "/storefleet/rpc/",
            json={
                "id": 2,
                "method": "model.res.user.get_preferences",
                "params": [True, {}],
            },
        ).json()["result"]

        def raw_round() -> None:
            price_ctx = {
                **context,
                "customer": customer["id"],
                "price_list": customer["price_list_id"],
                "quantity": 1.0,
            }
            answer = http.post(
                "/storefleet/rpc/",
                json={
                    "id": 3,
                    "method": "model.product.product.search_read",
                    "params": [
                        [["code", "in", skus]],
                        0,
                        None,
                        None,
                        ["code", "sale_price_uom"],
                        price_ctx,
                    ],
                },
            ).json()
            assert len(answer["result"]) == len(skus), answer
            stock_ctx = {**context, "product": ids, "warehouse": warehouse["id"]}
            answer = http.post(
                "/storefleet/rpc/",
                json={
                    "id": 4,
                    "method": "model.stock.product_quantities_warehouse.search_read",
                    "params": [
                        [],
                        0,
                        None,
                        [["date", "ASC"]],
                        ["product", "date", "quantity"],
                        stock_ctx,
                    ],
                },
            ).json()
            assert "result" in answer, answer

        gateway = get_gateway()

        def gateway_round() -> None:
            quotes = gateway.prices(store=STORE, customer=CUSTOMER, lines=lines)
            stock = gateway.availability(
                store=STORE, customer=CUSTOMER, warehouse=WAREHOUSE, lines=lines
            )
            assert all(q.unit_price is not None for q in quotes), quotes
            assert len(stock) == len(lines)

        def timed(fn, rounds: int, before=None) -> list[float]:  # type: ignore[no-untyped-def]
            times = []
            for _ in range(rounds):
                if before:
                    before()
                started = time.perf_counter()
                fn()
                times.append(time.perf_counter() - started)
            return times

        raw_round()
        calls_before = gateway.backend.request_count()
        cache.clear()
        gateway_round()  # first ever: logs in and learns the codes' ids
        first_calls = gateway.backend.request_count() - calls_before
        raw, cold = [], []
        for _ in range(ROUNDS):  # interleaved, so drift hits both alike
            raw += timed(raw_round, 1)
            before = gateway.backend.request_count()
            cold += timed(gateway_round, 1, before=cache.clear)
            calls_50 = gateway.backend.request_count() - before
        before = gateway.backend.request_count()
        warm = timed(gateway_round, WARM_ROUNDS)
        warm_calls = gateway.backend.request_count() - before

        started = time.perf_counter()
        product_report = erp_sync(name="products", full=True)
        customer_report = erp_sync(name="customers", full=True)
        full_sync_s = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    raw_ms = statistics.median(raw) * 1000
    cold_ms = statistics.median(cold) * 1000
    warm_ms = statistics.median(warm) * 1000
    print(
        f"50 SKUs, customer {CUSTOMER}, warehouse {WAREHOUSE}; cache: "
        f"{os.environ['CACHE_URL'].split(':')[0]}; {ROUNDS} cold/raw rounds, {WARM_ROUNDS} warm"
    )
    print(f"raw JSON-RPC (2 requests):        {raw_ms:8.2f} ms")
    print(
        f"gateway cold (cache emptied):     {cold_ms:8.2f} ms = {cold_ms / raw_ms:.2f} x raw, "
        f"{calls_50} backend calls (first ever: {first_calls}, incl. login and id lookups)"
    )
    print(
        f"gateway warm (from cache):        {warm_ms:8.3f} ms = {cold_ms / warm_ms:,.0f} x faster "
        f"than cold, {warm_calls} backend calls in {WARM_ROUNDS} rounds"
    )
    print(
        f"full sync: {product_report.records} products + {customer_report.records} customers "
        f"in {full_sync_s:.1f} s"
    )
    print(
        json.dumps(
            {
                "bench": "erp",
                "cold_vs_raw": round(cold_ms / raw_ms, 3),
                "warm_speedup": round(cold_ms / warm_ms, 1),
                "backend_calls_50": calls_50,
                "full_sync_s": round(full_sync_s, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
