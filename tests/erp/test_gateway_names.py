"""The gateway speaks the protocol's names: a caller reading ``ErpBackend`` finds the same
operation under the same name (and keywords) on ``get_gateway()``."""

from __future__ import annotations

import inspect

from storefleet.erp.gateway import ErpGateway
from storefleet.erp.protocol import ErpBackend

# The backend's own bookkeeping, not an ERP operation.
BACKEND_ONLY = {"request_count"}
# What only the gateway does: its cache (and what it holds, never asking the ERP), the uncached
# read of prices an order is placed at, and the verdict saying whether it was asked now or kept.
GATEWAY_ONLY = {
    "current_prices",
    "prices_held",
    "validate_order_asked",
    "invalidate_availability",
    "invalidate_prices",
    "invalidate_sale",
    "invalidate_sales",
}


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


def test_every_protocol_operation_has_its_name_on_the_gateway():
    protocol, gateway = public_methods(ErpBackend), public_methods(ErpGateway)
    assert set(protocol) - BACKEND_ONLY == set(gateway) - GATEWAY_ONLY


def test_the_gateway_takes_the_protocols_keywords():
    protocol, gateway = public_methods(ErpBackend), public_methods(ErpGateway)
    for name in set(protocol) - BACKEND_ONLY:
        wanted = set(protocol[name].parameters) - {"self"}
        assert wanted <= set(gateway[name].parameters), name
