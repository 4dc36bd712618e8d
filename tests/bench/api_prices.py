"""Part of `make bench-api` (issue 17): price and availability of 100 SKUs by the partner API
against the signed-in catalog page showing the same 100 products, in the same run.

On the embedded default (local settings: SQLite, file cache; PostgreSQL / Redis when
DATABASE_URL / CACHE_URL say so) against a reference ERP started here, with the demo stores and
buyers. Both are warm (the gateway's price and stock cache filled by a first request) and both are
rendered each time (the buyer's kept copy of the page is dropped before each request, as
bench_portal.py does); requests are interleaved, in process (Django's test client), so the ratio
compares the work of the two, not a server's. Figure: ``prices_vs_page`` = median API time /
median page time (target: at most 1.5). Environment: BENCH_ROUNDS (15), BENCH_SKUS (100),
BENCH_PROFILE (1: cProfile of the API request afterwards, on stderr). Last line: one JSON
object."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PLATFORM = REPO / "platform"
sys.path[:0] = [str(REPO), str(PLATFORM), str(Path(__file__).resolve().parent)]

from bench_ordering import environment, scratch_database, start_erp  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
SKUS = int(os.environ.get("BENCH_SKUS", "100"))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
HOST, CUSTOMER = "ferrum.localhost", "C-1001"


@contextlib.contextmanager
def demo_environment(prefix: str) -> Iterator[None]:
    """A scratch database with the demo stores and buyers, against a reference ERP of its own
    (what ``make demo`` sets up); Django is set up in this process."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    erp = start_erp(work, "erp")
    try:
        with scratch_database(work) as database_url:
            os.environ.update(environment(work, database_url, erp))
            import django

            django.setup()
            from django.core.cache import cache
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            cache.clear()
            with open(os.devnull, "w") as quiet:
                call_command("demo_stores", stdout=quiet)
                call_command("demo_buyers", wait=60, stdout=quiet)
            print(f"ERP: reference Tryton on 127.0.0.1:{erp.port}; demo stores and buyers ready")
            yield
    finally:
        erp.stop()
        shutil.rmtree(work, ignore_errors=True)


def company_key(*, scopes: list[str]) -> str:
    """A fresh key of the demo buyer's company (C-1001) in Ferrum."""
    from django.utils import timezone

    from storefleet.accounts.models import Company
    from storefleet.api.keys import api_key_create
    from storefleet.api.models import KeyKind
    from storefleet.tenants.models import Store

    _key, text = api_key_create(
        name="bench",
        kind=KeyKind.COMPANY,
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=1),
        company=Company.objects.get(code=CUSTOMER),
        store=Store.objects.get(site__hostname=HOST),
    )
    return text


def _timed(call: Any) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"answered {response.status_code}: {response.content[:300]!r}")
    return elapsed


def profile(call: Any, runs: int = 10) -> None:
    """Where the API request's time goes (BENCH_PROFILE=1): cProfile over a few warm runs,
    the top functions by own and by cumulative time, on stderr."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)


def measure(*, rounds: int = ROUNDS, skus: int = SKUS) -> dict[str, Any]:
    """Median milliseconds of the API's 100-SKU read and of the catalog page with the same
    products, and their ratio. Needs Django set up on demo data (``demo_environment``)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from storefleet.brand.buyer_cache import buyer_pages_changed
    from storefleet.catalog.models import CatalogPage
    from storefleet.catalog.selectors import product_list, store_assortment
    from storefleet.tenants.selectors import store_for_hostname

    store = store_for_hostname(HOST)
    assert store is not None
    wanted = list(
        product_list(assortment=store_assortment(store=store))
        .order_by("sku")
        .values_list("sku", flat=True)[:skus]
    )
    # The page shows the same products: the catalog's first page, as many as the API reads.
    page = CatalogPage.objects.get(path__startswith=store.site.root_page.path)
    page.per_page = len(wanted)
    page.save_revision().publish()
    page_url = page.relative_url(store.site)

    user = get_user_model().objects.get(username="ferrum.buyer")
    browser = Client(HTTP_HOST=HOST)
    browser.force_login(user)
    partner = Client(HTTP_HOST=HOST)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {company_key(scopes=['catalog:read'])}"}
    api_path = f"/api/v1/catalog/products?limit={len(wanted)}&sku={','.join(wanted)}"

    # Wagtail writes the default language's prefix (/de/...) where the store serves it without
    # one: the page's own address is where that redirects.
    moved = browser.get(page_url)
    if moved.status_code in (301, 302):
        page_url = moved["Location"]

    def api() -> Any:
        return partner.get(api_path, **headers)

    def catalog() -> Any:
        buyer_pages_changed(user_id=user.pk)  # the page rendered, not the buyer's kept copy
        return browser.get(page_url)

    first = api().json()
    assert len(first["items"]) == len(wanted), (len(first["items"]), first["unknown_skus"])
    shown = catalog().content.count(b"data-sku=")
    api_ms: list[float] = []
    page_ms: list[float] = []
    for _ in range(rounds):  # interleaved: what slows one slows the other
        api_ms.append(_timed(api))
        page_ms.append(_timed(catalog))
    api_median, page_median = statistics.median(api_ms), statistics.median(page_ms)
    if PROFILE:
        profile(api)
    return {
        "skus": len(wanted),
        "page_products_marked": shown,
        "api_ms_median": round(api_median, 1),
        "page_ms_median": round(page_median, 1),
        "prices_vs_page": round(api_median / page_median, 2),
    }


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    with demo_environment("bench-api-prices-"):
        figures = measure()
    print(
        f"{figures['skus']} SKUs by API: {figures['api_ms_median']} ms; the signed-in catalog "
        f"page with them: {figures['page_ms_median']} ms; "
        f"ratio {figures['prices_vs_page']} (target <= 1.5)"
    )
    print(json.dumps({"bench": "api-prices", **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
