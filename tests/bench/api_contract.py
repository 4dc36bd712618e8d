"""Part of `make bench-api` (issue 17): schemathesis against every operation of the partner
API's OpenAPI document on the demo data, counting the cases run and the server errors (target:
0), and answers that break the document (status, content type or body).

On the embedded default against a reference ERP started here, with the demo stores and buyers
(``api_prices.demo_environment``); the calls go in process through Django's WSGI application on
Ferrum's host with a key of the demo buyer's company (C-1001) holding every scope. The cases are
those of the contract test (``tests/api/test_contract.py``: the same document, configuration
and seed), valid and invalid ones, derandomized. Environment: BENCH_EXAMPLES (25, per
operation and mode). Last line: one JSON object."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from api_prices import HOST, company_key, demo_environment  # noqa: E402

EXAMPLES = int(os.environ.get("BENCH_EXAMPLES", "25"))


def measure(*, examples: int = EXAMPLES) -> dict[str, Any]:
    """Cases run, server errors and nonconforming answers over every operation. Needs Django
    set up on demo data (``demo_environment``)."""
    import logging

    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.core.failures import FailureGroup

    from tests.api.test_contract import APP, CONFIG, CONFORMANCE, openapi_document
    from tests.api.test_contract import with_idempotency_key as idempotent

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 4xx by the hundred: meant
    schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
    schema.app = APP
    headers = {"Authorization": f"Bearer {company_key(scopes=_all_scopes())}"}
    counts = {"cases": 0, "server_errors": 0, "nonconforming": 0, "operations": 0}
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                idempotent(case)
                counts["cases"] += 1
                response = case.call(base_url=f"http://{HOST}", headers=headers)
                if response.status_code >= 500:
                    counts["server_errors"] += 1
                    failures.append(f"{response.status_code} {case.operation.label}")
                try:
                    case.validate_response(response, checks=CONFORMANCE, headers=headers)
                except FailureGroup as error:
                    counts["nonconforming"] += 1
                    failures.append(f"{case.operation.label}: {str(error).splitlines()[0]}")

            # Unsatisfiable: no invalid request exists for this operation (any path text is one).
            with contextlib.suppress(Unsatisfiable):
                run()
    for line in failures[:20]:
        print("  failure:", line)
    return {
        "contract_operations": counts["operations"],
        "contract_cases": counts["cases"],
        "contract_server_errors": counts["server_errors"],
        "contract_nonconforming": counts["nonconforming"],
    }


def _all_scopes() -> list[str]:
    from storefleet.api.models import Scope

    return list(Scope.values)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    with demo_environment("bench-api-contract-"):
        figures = measure()
    print(
        f"{figures['contract_cases']} cases over {figures['contract_operations']} operations: "
        f"{figures['contract_server_errors']} server errors (target 0), "
        f"{figures['contract_nonconforming']} answers off the document"
    )
    print(json.dumps({"bench": "api-contract", **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
