"""Issue 4: every cart the platform lets through, the ERP confirms; every cart it blocks, the
ERP would have refused — on carts hypothesis draws from the seeded business (see cart_oracle).

Two ERP servers from the same seed share the carts (each cart is checked on one of them, the
platform's verdict and the ERP's back to back): an ERP server is one Python process, so two
use the machine's two cores. The benchmark runs the same check on thousands of carts."""

from __future__ import annotations

import pytest

from .cart_oracle import run_carts, summary

EXAMPLES = 300


@pytest.fixture(scope="module")
def second_erp_server(start_erp_server):
    server = start_erp_server()
    yield server
    server.stop()


def test_the_platform_decides_every_cart_as_the_erp_does(fresh_erp_server, second_erp_server):
    result = run_carts(
        server=fresh_erp_server,
        more_servers=[second_erp_server],
        examples=EXAMPLES,
        seed=None,  # hypothesis' derandomize: the same carts on every run
    )
    report = "\n".join(summary(result))
    print(report)
    assert result.checked == EXAMPLES, report
    assert (result.divergent, result.reason_mismatches) == (0, 0), report
    # The carts reach every rule the ERP enforces, for the customers at their credit limit too.
    assert set(result.outcomes) == {
        "accepted",
        "refused: unknown_product",
        "refused: below_minimum/not_a_multiple/not_salable",
        "refused: insufficient_stock",
        "refused: credit_limit_exceeded",
    }, report
    scenarios = fresh_erp_server.manifest["scenarios"]
    assert result.customers[scenarios["near_limit_customer"]] >= 10, report
    assert result.customers[scenarios["over_limit_customer"]] >= 10, report
