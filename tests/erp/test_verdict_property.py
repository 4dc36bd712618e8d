"""Issue 4: every cart the platform lets through, the ERP confirms; every cart it blocks, the
ERP would have refused — on carts hypothesis draws from the seeded business (see cart_oracle).

Two ERP servers from the same seed share the carts (each cart is checked on one of them, the
platform's verdict and the ERP's back to back): an ERP server is one Python process, so two
use the machine's two cores. The benchmark runs the same check on thousands of carts."""

from __future__ import annotations

import pytest

from .cart_oracle import CHANGE_KINDS, change_summary, run_carts, run_changing_carts, summary

# 150 carts (300 before issue 16; 100 fell short of the coverage assertions below): the same
# draws on every run, and the benchmark checks thousands. The rounds stay 40: 24 of this seed's
# rounds never withdraw a product (the assertion on every change kind failed).
EXAMPLES = 150
CHANGE_ROUNDS = 40  # each: two carts looked at, a product changed, both decided again
# Hypothesis' derandomized draws of rounds repeat themselves; a fixed seed varies them and
# still draws the same rounds on every run.
CHANGE_SEED = 20261205


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


def test_the_verdict_stays_the_erps_when_the_erp_changes_between_steps(start_erp_server):
    """Issue 14: products withdrawn, no longer sold, repriced or sold in boxes of 10 while
    stocked in units, between the buyer's look at a cart (the platform's memos warm, the
    prices seen) and the next. On an ERP of its own: the changes stay."""
    server = start_erp_server()
    try:
        result = run_changing_carts(server=server, examples=CHANGE_ROUNDS, seed=CHANGE_SEED)
    finally:
        server.stop()
    report = "\n".join(change_summary(result))
    print(report)
    assert result.checked == 2 * result.rounds and result.rounds == CHANGE_ROUNDS, report
    assert (result.divergent, result.reason_mismatches) == (0, 0), report
    assert set(result.changes) == set(CHANGE_KINDS), report
    # The changes decide carts: some are refused for a moved price, some for a product no
    # longer sold, and some are still accepted.
    assert "refused: price_changed" in result.outcomes, report
    assert "accepted" in result.outcomes, report
