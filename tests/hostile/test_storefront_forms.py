"""The storefront's ordering inputs under hostile input: the add-to-cart form, a cart line's
quantity and remove buttons, quick order (typed lines and CSV files), checkout, return requests,
and the query strings of the catalog and My orders.

Each answer is checked for a server error or a traceback; a refused input must say what to do
and write nothing — no rows, and no ERP write (order, return, cancellation, payment). An input
that is accepted (a valid quantity does turn up) is rolled back with its savepoint, so every
example starts from the same cart; refusals are never rolled back, so ``nothing_written``
proves they wrote nothing. Refusals here all come before any ERP write; the only ERP calls are
the reads the pages make (the cart's verdict, an order's returnables), on the session's shared
reference ERP."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from hypothesis import example, given, settings
from hypothesis import strategies as st

from storefleet.accounts.principal import Principal
from storefleet.erp.selectors import erp_call_stats
from storefleet.ordering import return_views
from storefleet.ordering.cart import cart_line_add
from storefleet.ordering.checkout import new_submit_token
from storefleet.ordering.forms import CheckoutForm
from storefleet.ordering.models import CartLine, Order, ReturnRequest
from storefleet.ordering.quick_order import MAX_QUANTITY, parse_quantity
from storefleet.ordering.returns import selectors as return_selectors
from storefleet.ordering.returns import services as return_services
from tests.hostile.harness import (
    EXAMPLES,
    check_refusal,
    check_response,
    hostile,
    nothing_written,
    tried,
)
from tests.hostile.strategies import (
    hostile_bytes,
    hostile_id,
    hostile_number,
    hostile_text,
)
from tests.ordering.conftest import HOST
from tests.ordering.test_returns import PARTLY_SHIPPED

pytestmark = pytest.mark.django_db

# Pages that ask the real ERP on every render (the checkout's verdict, an order's returnables)
# try fewer examples over HTTP; their parsing and rules get every example without the round
# trip, in the tests beside them.
through_the_erp = settings(hostile, max_examples=max(6, EXAMPLES // 4))

ERP_WRITES = {"submit_order", "request_return", "cancel_order", "record_payment"}
SKUS = ("FAS-1003", "FAS-1002", "fas-1003", "BRG-1009")
# What the storefront's refusals look like: a flashed error, a form's error list, or an
# error block; each of them says what to enter.
ERROR_SHOWN = re.compile(r'message--error|class="errorlist|class="form-errors"|role="alert"')


def erp_writes() -> int:
    return sum(s.count for s in erp_call_stats() if s.operation in ERP_WRITES)


class _Accepted(Exception):
    """Raised to roll an accepted input back to the example's starting state."""


@contextlib.contextmanager
def refused_or_undone(accepted: Callable[[], bool]) -> Iterator[None]:
    """The block's input is refused and writes nothing (rows, ERP writes), or it is accepted
    — ``accepted()`` says so, read inside the block's transaction — and rolled back."""
    with nothing_written(extra=[("erp writes", erp_writes)]):
        try:
            with transaction.atomic():
                yield
                if accepted():
                    raise _Accepted
        except _Accepted:
            pass


@pytest.fixture
def buyer(client, shop):
    client.force_login(shop.buyers["C-1004"])
    return client


def _get(client, path, data=None):
    return client.get(path, data or {}, HTTP_HOST=HOST)


def _post(client, path, data):
    return client.post(path, data, HTTP_HOST=HOST)


def _flashed(client, response) -> str:
    """The page a redirect lands on (on this host), where the flashed message shows."""
    check_response(response)
    location = response.get("Location", "")
    if response.status_code != 302 or not location.startswith("/"):
        return response.content.decode("utf-8", "replace")
    page = _get(client, "/cart/")  # every ordering redirect's messages show on the cart too
    check_response(page)
    return page.content.decode()


def _expected_quantity(text: str) -> Decimal | None:
    quantity, _ = parse_quantity(text)
    return quantity


# ------------------------------------------------------------------ add to cart
@hostile
@given(
    sku=st.one_of(st.sampled_from(SKUS), hostile_text(max_size=80)),
    quantity=hostile_number(),
    next_=st.one_of(st.sampled_from(("", "/catalog/", "https://evil.example/")), hostile_text()),
)
def test_add_to_cart_form(buyer, shop, sku, quantity, next_):
    before = list(CartLine.objects.values_list("id", flat=True))
    with refused_or_undone(lambda: CartLine.objects.exists()):
        response = _post(buyer, "/cart/add/", {"sku": sku, "quantity": quantity, "next": next_})
        check_response(response, allowed=(302,))
        added = CartLine.objects.first()
        if added is not None:  # only a SKU of the store and a quantity a line may hold
            assert added.product.sku.upper() == sku.strip().upper()
            assert added.quantity == _expected_quantity(quantity)
    assert list(CartLine.objects.values_list("id", flat=True)) == before
    if added is None:
        check_refusal(
            _get(buyer, "/cart/"),
            says=re.compile(r"message--error\">[^<]*(SKU|quantity|product|number)"),
        )


# ------------------------------------------------------------------ a cart line
@hostile
@given(
    quantity=hostile_number(),
    action=st.sampled_from(("", "update", "remove", "REMOVE", "remove\x00", "delete")),
    line=st.one_of(st.just("own"), hostile_id()),
)
def test_cart_line_update_and_remove(buyer, shop, quantity, action, line):
    cart_line_add(principal=shop.principal("C-1004"), sku="FAS-1003", quantity=Decimal(7))
    own = CartLine.objects.get()
    line_id = str(own.id) if line == "own" else line

    def changed() -> bool:
        found = CartLine.objects.filter(id=own.id).first()
        return found is None or found.quantity != Decimal(7)

    with refused_or_undone(changed):
        response = _post(buyer, f"/cart/lines/{line_id}/", {"action": action, "quantity": quantity})
        check_response(response, allowed=(302, 404))
        found = CartLine.objects.filter(id=own.id).first()
        if line == "own" and action == "remove":
            assert found is None
        elif found is not None and found.quantity != Decimal(7):
            assert found.quantity == _expected_quantity(quantity) <= MAX_QUANTITY
        refused = line == "own" and found is not None and found.quantity == Decimal(7)
    if refused and action != "remove" and _expected_quantity(quantity) != Decimal(7):
        check_refusal(_get(buyer, "/cart/"), says=ERROR_SHOWN)
    CartLine.objects.all().delete()


# ------------------------------------------------------------------ quick order
@hostile
@given(
    lines=st.one_of(
        hostile_text(),
        st.lists(
            st.tuples(st.sampled_from(SKUS) | hostile_text(max_size=70), hostile_number()).map(
                " ".join
            ),
            max_size=5,
        ).map("\n".join),
    )
)
def test_quick_order_lines(buyer, shop, lines):
    with refused_or_undone(lambda: CartLine.objects.exists()):
        response = _post(buyer, "/quick-order/", {"lines": lines})
        check_response(response, allowed=(200, 302))
        added = CartLine.objects.exists()
    if not added:
        check_refusal(response, says=ERROR_SHOWN)


@hostile
@given(data=hostile_bytes(), name=st.sampled_from(("order.csv", "order.png", "../../x.csv", "")))
def test_quick_order_csv_upload(buyer, shop, data, name):
    with refused_or_undone(lambda: CartLine.objects.exists()):
        upload = SimpleUploadedFile(name or "x", data, "text/csv")
        response = _post(buyer, "/quick-order/", {"csv": upload})
        check_response(response, allowed=(200, 302))
        added = CartLine.objects.exists()
    if not added:
        check_refusal(response, says=ERROR_SHOWN)


# ------------------------------------------------------------------ checkout
CHECKOUT_FIELDS = {
    "po": hostile_text(max_size=60),
    "ship_to": st.one_of(st.just("own"), hostile_id()),
    "date": st.one_of(
        st.sampled_from(("", "2029-02-29", "2028-02-29", "9999-12-31", "0001-01-01")),
        hostile_text(max_size=30),
        st.dates().map(str),
    ),
    "notes": hostile_text(),
    "token": st.one_of(st.just("fresh"), hostile_text(max_size=80)),
}


@hostile
@given(**CHECKOUT_FIELDS)
@example(po="", ship_to="1\x00", date="", notes="", token="fresh")  # Django's own NUL words
def test_checkout_form_fields(shop, po, ship_to, date, notes, token):
    """Every checkout field's refusal says what to do; the form asks no ERP and writes nothing."""
    membership = shop.membership("C-1004")
    own = membership.company.addresses.filter(is_ship_to=True, active=True).first()
    data = {
        "submit_token": new_submit_token() if token == "fresh" else token,
        "ship_to": str(own.id) if ship_to == "own" else ship_to,
        "requested_delivery_date": date,
        "po_number": po,
        "notes": notes,
    }
    with nothing_written(extra=[("erp writes", erp_writes)]):
        form = CheckoutForm(data, addresses=[own], line_ids=[])
        tried()
        if form.is_valid():
            return
    form.submit_token_refused()
    assert "submit_token" not in form.errors
    for field, errors in form.errors.items():
        for error in errors:
            assert error and not error.startswith(
                ("Enter a valid", "Select a valid", "Null char")
            ), (
                field,
                error,
            )


@through_the_erp
@given(**CHECKOUT_FIELDS)
def test_checkout_fields(buyer, shop, po, ship_to, date, notes, token):
    membership = shop.membership("C-1004")
    cart_line_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        sku="FAS-1003",
        quantity=Decimal(10),
    )
    own = membership.company.addresses.filter(is_ship_to=True, active=True).first()
    data = {
        "submit_token": new_submit_token() if token == "fresh" else token,
        "ship_to": str(own.id) if ship_to == "own" else ship_to,
        "requested_delivery_date": date,
        "po_number": po,
        "notes": notes,
    }
    with refused_or_undone(lambda: Order.objects.exists()):
        response = _post(buyer, "/checkout/", data)
        check_response(response, allowed=(200, 302))
        placed = Order.objects.exists()
    if not placed:
        check_refusal(response, says=ERROR_SHOWN)
    CartLine.objects.all().delete()


# ------------------------------------------------------------------ return requests
RETURN_FIELDS = {
    "quantities": st.dictionaries(
        st.sampled_from(("BRG-1009", "PTR-1011", "NOPE-1", "BRG-1009\x00")),
        hostile_number(),
        min_size=1,
        max_size=3,
    ),
    "reason": st.sampled_from(("damaged", "defective", "other", "", "bogus"))
    | hostile_text(max_size=40),
    "reason_text": hostile_text(),
}


@pytest.fixture
def return_form(shop):
    return return_selectors.return_form(principal=shop.buyer("C-1004"), number=PARTLY_SHIPPED)


@hostile
@given(**RETURN_FIELDS)
def test_return_quantities_parsed_and_checked(shop, return_form, quantities, reason, reason_text):
    """The return page's parsing and the service's rules (private parts, so that every example
    runs without asking the ERP for the order's returnables again): a quantity is refused
    with a reason per line, or it is one the ERP can store (4 decimals, more than 0)."""
    post = QueryDict(mutable=True)
    for sku, quantity in quantities.items():
        post[f"qty-{sku}"] = quantity
    skus = [row.sku for row in return_form.rows]
    tried()
    lines, errors = return_views._wanted(post, skus)
    assert all(message.startswith(tuple(skus)) for message in errors.values())
    if errors:
        return
    try:
        chosen = return_services._validate(
            shop.buyer("C-1004"),
            return_form,
            lines,
            return_services.ReturnReasonGiven(reason, reason_text),
        )
    except return_services.ReturnInvalid as invalid:
        assert all(invalid.errors.values())
        return
    for row, quantity in chosen:
        assert 0 < quantity <= row.returnable
        assert quantity == quantity.quantize(Decimal("0.0001"))


@through_the_erp
@given(**RETURN_FIELDS)
def test_return_request_quantities(buyer, shop, quantities, reason, reason_text):
    data = {f"qty-{sku}": q for sku, q in quantities.items()}
    data |= {"reason": reason, "reason_text": reason_text, "submit_token": "hostile-ret"}
    with refused_or_undone(lambda: ReturnRequest.objects.exists()):
        response = _post(buyer, f"/orders/{PARTLY_SHIPPED}/return/", data)
        check_response(response, allowed=(200, 302, 400))
        made = ReturnRequest.objects.first()
        if made is not None:  # only quantities of shipped lines, with 4 decimals at most
            for line in made.lines.all():
                assert 0 < line.quantity == _expected_quantity(data[f"qty-{line.sku}"])
    if made is None:
        check_refusal(response, says=ERROR_SHOWN)


# ------------------------------------------------------------------ query strings
@hostile
@given(
    params=st.dictionaries(
        st.sampled_from(("q", "category", "page", "sort", "utm_source")),
        st.one_of(hostile_text(max_size=80), hostile_id()),
        max_size=4,
    )
)
def test_catalog_query_string(buyer, shop, params):
    with nothing_written(extra=[("erp writes", erp_writes)]):
        check_response(_get(buyer, "/catalog/", params), allowed=(200, 400, 404))


@hostile
@given(
    params=st.dictionaries(
        st.sampled_from(
            ("status", "placed_from", "placed_to", "from", "to", "po", "page", "sort", "q")
        ),
        st.one_of(hostile_text(max_size=80), hostile_id(), st.dates().map(str)),
        max_size=5,
    )
)
def test_my_orders_query_string(buyer, shop, params):
    with nothing_written(extra=[("erp writes", erp_writes)]):
        response = _get(buyer, "/orders/", params)
        check_response(response, allowed=(200, 400))
    if response.status_code == 400:
        check_refusal(response, says=ERROR_SHOWN)
