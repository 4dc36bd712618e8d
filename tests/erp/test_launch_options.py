"""What the ERP offers a new store (``ErpGateway.launch_options``), read from the real reference
ERP: the launch wizard's pickers are these lists."""

from __future__ import annotations

import pytest

from storefleet.erp.errors import ErpUnavailable
from storefleet.erp.gateway import get_gateway


def test_the_options_are_the_erps_warehouses_price_lists_currencies_and_categories(gateway):
    gateway.test_connection()  # signed in: the count below is the read's own requests
    before = gateway.backend.request_count()

    options = gateway.launch_options()

    assert (options.company_currency, options.currencies) == ("EUR", ("EUR", "USD"))
    assert {"WH-EU", "WH-US"} <= {w.code for w in options.warehouses}
    assert "List Price" in [p.name for p in options.price_lists]
    codes = {c.code: c.name for c in options.categories}
    assert (codes["HYD"], codes["PNE"]) == ("Hydraulics", "Pneumatics")
    # Company, warehouses, price lists, currencies, categories.
    assert gateway.backend.request_count() - before == 5
    # Asked again within the minute: answered from the cache, the ERP is not asked.
    assert get_gateway().launch_options() == options
    assert gateway.backend.request_count() - before == 5


def test_an_unreachable_erp_raises_and_nothing_is_kept(settings, gateway, erp_server):
    settings.ERP_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    with pytest.raises(ErpUnavailable):
        get_gateway().launch_options()

    settings.ERP_URL = erp_server.url
    assert "USD" in get_gateway().launch_options().currencies
