"""The ERP-side oracle of the cart property test: its verdicts are Tryton's, and it leaves the
ERP's stock and credit as it found them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.erp.types import OrderState, ReasonCode

from .cart_oracle import Cart, ErpOracle, ErpVerdict, World, compare
from .conftest import point_gateway_at


@pytest.fixture
def gateway(settings, fresh_erp_server):
    return point_gateway_at(settings, fresh_erp_server)


@pytest.fixture
def world(gateway, fresh_erp_server) -> World:
    return World.read(gateway.backend.client, fresh_erp_server.manifest)


def cart(world: World, customer: str, *lines: tuple[str, str]) -> Cart:
    return Cart(
        customer=customer,
        warehouse="WH-EU",
        ship_to_address_id=world.customers[customer].address_ids[0],
        lines=tuple((sku, Decimal(quantity)) for sku, quantity in lines),
    )


def judge(gateway, world: World, basket: Cart) -> tuple[ErpVerdict, bool]:
    """The ERP's verdict and the platform's decision on ``basket``."""
    validation = gateway.validate_order(order=basket.order("oracle"))
    oracle = ErpOracle(gateway.backend.client, world)
    verdict = oracle.verdict(
        basket, [v.unit_price.amount if v.unit_price else None for v in validation.lines]
    )
    oracle.flush()
    assert compare(basket, validation, verdict) is None
    return verdict, validation.ok


def erp_state(erp) -> tuple:
    parties = erp.search_read(
        "party.party", [["code", "in", ["C-1003", "C-1004"]]], ["code", "credit_amount"]
    )
    stock = erp.search_read(
        "product.product",
        [["code", "in", ["FAS-1003", "BRG-1002", "HYD-1005"]]],
        ["code", "forecast_quantity"],
        locations=[erp.search_read("stock.location", [["code", "=", "WH-EU"]], ["id"])[0]["id"]],
    )
    sales = erp.search_read("sale.sale", [], ["id", "state"], order=[["id", "ASC"]])
    return (
        sorted((p["code"], p["credit_amount"]) for p in parties),
        sorted((p["code"], p["forecast_quantity"]) for p in stock),
        sales,
    )


def test_each_verdict_is_tryton_s_and_leaves_the_erp_as_it_was(gateway, world, fresh_erp_server):
    erp = fresh_erp_server.client()
    before = erp_state(erp)
    cases = [
        (cart(world, "C-1004", ("FAS-1003", "10"), ("BRG-1002", "4")), "accepted", ()),
        (cart(world, "C-1003", ("BRG-1002", "10")), "refused: credit_limit_exceeded", ()),
        (
            cart(world, "C-1004", ("FAS-1003", "10"), ("HYD-1005", "5")),
            "refused: insufficient_stock",
            (1,),
        ),
        (
            cart(world, "C-1004", ("FAS-1003", "10"), ("FAS-1002", "75")),
            "refused: below_minimum/not_a_multiple/not_salable",
            (1,),
        ),
        (cart(world, "C-1004", ("NOPE-0001", "1")), "refused: unknown_product", (0,)),
    ]
    for basket, outcome, lines in cases:
        verdict, platform_ok = judge(gateway, world, basket)
        assert (verdict.outcome, verdict.lines, platform_ok) == (outcome, lines, verdict.ok)
    assert erp_state(erp) == before


def test_what_the_oracle_accepts_the_erp_confirms_for_real(gateway, world):
    basket = cart(world, "C-1004", ("FAS-1003", "10"), ("BRG-1002", "4"))
    verdict, _ = judge(gateway, world, basket)
    assert verdict.ok
    submitted = gateway.submit_order(order=basket.order("oracle-for-real"))
    assert submitted.state is OrderState.PROCESSING


def test_a_refusal_the_platform_did_not_name_is_reported(world):
    from storefleet.erp.types import CreditVerdict, LineVerdict, OrderValidation
    from storefleet.money import Money

    basket = cart(world, "C-1004", ("HYD-1005", "5"))
    eur = Money(Decimal(0), "EUR")
    validation = OrderValidation(
        lines=(LineVerdict(0, "HYD-1005", Decimal(5), (ReasonCode.PRICE_CHANGED,)),),
        credit=CreditVerdict(None, eur, eur, ()),
    )
    stock = ErpVerdict(False, "quote", frozenset({ReasonCode.INSUFFICIENT_STOCK}), (0,))
    divergence = compare(basket, validation, stock)
    assert divergence is not None and divergence.kind == "reason"
    accepted = ErpVerdict(True, "accepted")
    divergence = compare(basket, validation, accepted)
    assert divergence is not None and divergence.kind == "decision"
