"""The partner API: `make bench-api` (issue 17).

Four parts, each a script of its own that boots what it measures (a reference ERP, a scratch
database, a worker) and ends with one JSON line; this script runs them one after another, in
fresh processes so that no part's settings or servers leak into the next, and joins their
figures:
  - api_prices.py: price and availability of 100 SKUs by API (warm) against the signed-in
    catalog page with the same products, in the same run (target prices_vs_page <= 1.5);
  - api_orders.py: order placement by API until the ERP confirmed it, against raw ERP create +
    quote + confirm interleaved with it (target order_vs_raw_p95 <= 1.2);
  - api_webhooks.py: the first attempt of a webhook after its commit (target p99 <= 5 s), and
    1,000 events with the receiver down for part of the run and answering 500 for another:
    none lost, each delivered once it is back (de-duplicated by delivery id);
  - api_contract.py: schemathesis over every operation of the OpenAPI document: cases run,
    server errors (target 0).
Last line: {"bench": "api", "prices_vs_page": …, "order_vs_raw_p95": …, "webhook_first_p99_ms": …,
"events": 1000, "events_lost": 0, "contract_cases": …, "contract_server_errors": 0}.
A part that fails makes this script fail, after the others ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("api_prices", "api_orders", "api_webhooks", "api_contract")
KEYS = (
    "prices_vs_page",
    "order_vs_raw_p95",
    "webhook_first_p99_ms",
    "events",
    "events_lost",
    "contract_cases",
    "contract_server_errors",
)


def last_json(output: str) -> dict[str, Any] | None:
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def main() -> int:
    figures: dict[str, Any] = {}
    failed = []
    for part in PARTS:
        print(f"== {part}", flush=True)
        run = subprocess.run(
            [sys.executable, str(HERE / f"{part}.py")],
            cwd=HERE.parent.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        print(run.stdout, end="", flush=True)
        found = last_json(run.stdout)
        if run.returncode != 0 or found is None:
            failed.append(part)
            continue
        figures.update({k: v for k, v in found.items() if k != "bench"})
    summary = {"bench": "api", **{k: figures.get(k) for k in KEYS}}
    summary.update({k: v for k, v in figures.items() if k not in summary})
    if failed:
        summary["failed_parts"] = failed
    print(json.dumps(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
