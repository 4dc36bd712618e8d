"""The reference ERP answers over JSON-RPC with the seeded demo business and
enforces its ordering rules (see infra/local/erp/README.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest


def test_server_version_and_login(erp_server, erp):
    assert erp.version().startswith("8.2")
    assert erp.context["company"] == erp_server.manifest["company"]["id"]


def test_at_least_200_salable_goods(erp):
    products = erp.search_read(
        "product.product",
        [["template.salable", "=", True], ["template.type", "=", "goods"]],
        ["code", "list_price_used", "default_uom"],
    )
    assert len(products) >= 200
    codes = [p["code"] for p in products]
    assert all(codes), "every product has a SKU"
    assert len(set(codes)) == len(codes), "SKUs are unique"
    assert all(p["list_price_used"] > 0 for p in products)


def test_at_least_20_customers_with_terms(erp, erp_server):
    customers = erp.search_read(
        "party.party",
        [["code", "like", "C-%"]],
        [
            "code",
            "sale_price_list",
            "customer_payment_term",
            "credit_limit_amount",
            "credit_amount",
            "addresses",
        ],
    )
    assert len(customers) >= 20
    assert sum(1 for c in customers if c["sale_price_list"]) >= 10
    assert all(c["customer_payment_term"] for c in customers)
    assert any(len(c["addresses"]) > 1 for c in customers)

    by_code = {c["code"]: c for c in customers}
    scenarios = erp_server.manifest["scenarios"]
    near = by_code[scenarios["near_limit_customer"]]
    over = by_code[scenarios["over_limit_customer"]]
    assert near["credit_amount"] <= near["credit_limit_amount"]
    assert near["credit_limit_amount"] - near["credit_amount"] < Decimal(1000)
    assert over["credit_amount"] > over["credit_limit_amount"]


def test_two_warehouses(erp):
    warehouses = erp.search_read(
        "stock.location", [["type", "=", "warehouse"]], ["code", "storage_location"]
    )
    codes = {w["code"] for w in warehouses}
    assert {"WH-EU", "WH-US"} <= codes


def test_stock_differs_per_warehouse(erp, erp_server):
    manifest = erp_server.manifest
    warehouses = {w["code"]: w["id"] for w in manifest["warehouses"]}
    products = {p["sku"]: p["id"] for p in manifest["products"]}
    scenarios = manifest["scenarios"]
    eu_only = products[scenarios["eu_only_skus"][0]]
    out = products[scenarios["out_of_stock_skus"][0]]

    def quantity(product_id, warehouse):
        (row,) = erp.model(
            "product.product", "read", [product_id], ["quantity"], locations=[warehouses[warehouse]]
        )
        return row["quantity"]

    assert quantity(eu_only, "WH-EU") > 0
    assert quantity(eu_only, "WH-US") == 0
    assert quantity(out, "WH-EU") == 0 and quantity(out, "WH-US") == 0

    # A supply planned in the future shows up in the forecast only.
    supply = scenarios["incoming_supplies"][0]
    incoming = products[supply["skus"][0]]
    arrival = datetime.date.fromisoformat(supply["date"])
    warehouse = warehouses[supply["warehouse"]]
    (before,) = erp.model(
        "product.product",
        "read",
        [incoming],
        ["forecast_quantity"],
        locations=[warehouse],
        stock_date_end=arrival - datetime.timedelta(days=1),
    )
    (after,) = erp.model(
        "product.product",
        "read",
        [incoming],
        ["forecast_quantity"],
        locations=[warehouse],
        stock_date_end=arrival,
    )
    assert before["forecast_quantity"] <= 0 < after["forecast_quantity"]


def test_price_lists_and_customer_price(erp, erp_server):
    price_lists = erp.search_read("product.price_list", [], ["name"])
    names = {p["name"] for p in price_lists}
    assert {"List Price", "Contract A", "Contract B"} <= names
    assert len(names) >= 4  # plus a customer-specific one

    contract_a = next(p["id"] for p in price_lists if p["name"] == "Contract A")
    product = next(
        p for p in erp_server.manifest["products"] if not p["min_qty"] and not p["multiple"]
    )
    list_price = Decimal(product["list_price"])

    def price(quantity):
        (row,) = erp.model(
            "product.product",
            "read",
            [product["id"]],
            ["sale_price_uom"],
            price_list=contract_a,
            quantity=quantity,
        )
        return row["sale_price_uom"]

    assert price(1) == (list_price * Decimal("0.90")).quantize(Decimal("0.0001"))
    assert price(100) == (list_price * Decimal("0.85")).quantize(Decimal("0.0001"))


def test_product_with_minimum_quantity_exists(erp):
    products = erp.search_read(
        "product.product",
        [["template.sale_quantity_minimal", ">", 1]],
        ["code", "sale_quantity_minimal"],
    )
    assert products
    multiples = erp.search_read(
        "product.product",
        [["template.sale_quantity_rounding", ">", 1]],
        ["code", "sale_quantity_rounding"],
    )
    assert multiples


def test_overdue_posted_invoice_exists(erp):
    today = erp.model("ir.date", "today")
    invoices = erp.search_read(
        "account.invoice",
        [["type", "=", "out"], ["state", "=", "posted"]],
        ["number", "party", "amount_to_pay", "lines_to_pay"],
    )
    assert invoices
    line_ids = [i for inv in invoices for i in inv["lines_to_pay"]]
    lines = erp.model("account.move.line", "read", line_ids, ["maturity_date", "reconciliation"])
    overdue = [
        line for line in lines if line["maturity_date"] < today and not line["reconciliation"]
    ]
    assert overdue, "an open invoice is past its due date"


def test_confirmed_sales_in_each_shipment_state(erp):
    sales = erp.search_read(
        "sale.sale", [["state", "in", ["confirmed", "processing"]]], ["number", "shipment_state"]
    )
    states = {s["shipment_state"] for s in sales}
    assert {"waiting", "partially shipped", "sent"} <= states


def _new_sale(erp, erp_server, product, quantity):
    manifest = erp_server.manifest
    customer = manifest["customers"][0]
    warehouse = next(w["id"] for w in manifest["warehouses"] if w["code"] == customer["warehouse"])
    return erp.model(
        "sale.sale",
        "create",
        [
            {
                "party": customer["id"],
                "warehouse": warehouse,
                "shipment_cost_method": None,
                "lines": [
                    [
                        "create",
                        [
                            {
                                "product": product["id"],
                                "quantity": quantity,
                                "unit": erp.model(
                                    "product.product", "read", [product["id"]], ["sale_uom"]
                                )[0]["sale_uom"],
                                "unit_price": Decimal(product["list_price"]),
                            }
                        ],
                    ]
                ],
            }
        ],
    )


def test_sale_line_below_minimum_quantity_is_refused(erp, erp_server):
    product = next(
        p
        for p in erp_server.manifest["products"]
        if p["min_qty"] and p["min_qty"] > 1 and p["unit"] == "Unit"
    )
    before = erp.search_count("sale.sale", [])
    with pytest.raises(erp.Error) as refused:
        _new_sale(erp, erp_server, product, product["min_qty"] - 1)
    assert refused.value.kind == "UserError"
    message = refused.value.error_args[0]
    assert product["sku"] in message  # the refused line is named
    assert erp.search_count("sale.sale", []) == before  # nothing half-done

    # The minimum itself (a valid multiple) is accepted.
    sale_ids = _new_sale(erp, erp_server, product, product["min_qty"])
    assert len(sale_ids) == 1


def test_sale_line_not_a_multiple_is_refused(erp, erp_server):
    product = next(
        p
        for p in erp_server.manifest["products"]
        if p["multiple"] and p["multiple"] >= 10 and not p["min_qty"]
    )
    with pytest.raises(erp.Error) as refused:
        _new_sale(erp, erp_server, product, product["multiple"] * 1.5)
    assert refused.value.kind == "UserError"
    assert product["sku"] in refused.value.error_args[0]
