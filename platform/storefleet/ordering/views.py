"""Storefront views of ordering on a store's host: cart, quick order, checkout, orders.

Every view finds the buyer's company through ``company_for_member`` and reaches carts and
orders only through selectors scoped to it: another company's line or order number answers
404, like one that doesn't exist."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from storefleet import money
from storefleet.accounts.access import buyer_required, store_buyer
from storefleet.accounts.principal import Principal
from storefleet.accounts.selectors import company_ship_to_addresses
from storefleet.approvals import selectors as approval_selectors
from storefleet.brand.buyer_cache import buyer_page_dependencies, mark_cacheable
from storefleet.catalog.selectors import catalog_page_for_store, product_for_store
from storefleet.errors import ApplicationError

from . import order_history, selectors
from .cart import (
    cart_backorder_set,
    cart_check,
    cart_line_add,
    cart_line_remove,
    cart_line_set_quantity,
    cart_owner,
    quick_order_add,
)
from .checkout import (
    CartNotOrderable,
    CheckoutRequest,
    PricesMoved,
    new_submit_token,
    order_place,
    seen_prices_read,
    seen_prices_sign,
)
from .forms import AddToCartForm, CheckoutForm, LineQuantityForm, QuickOrderForm
from .forms_orders import OrderFilterForm
from .order_page import order_page, order_page_refresh
from .quick_order import (
    CSV_TEMPLATE_VARIANTS,
    MAX_ROWS,
    QuickOrderRefused,
    QuickRow,
    csv_template,
    parse_csv,
    parse_lines,
    sku_suggestions,
    suggestion_query,
    suggestions_wait,
)
from .reorder import order_reorder
from .totals import checkout_totals

MAX_NEXT_LENGTH = 2000  # a page of the store; longer is not one of ours


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if (
        target
        and len(target) <= MAX_NEXT_LENGTH
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


@buyer_required
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _back(request, reverse("ordering:cart"))
    try:
        line = cart_line_add(
            principal=principal,
            sku=form.cleaned_data["sku"],
            quantity=form.cleaned_data["quantity"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("Added %(quantity)s %(unit)s of %(sku)s to your cart.")
            % {
                "quantity": money.format_number(form.cleaned_data["quantity"]),
                "unit": money.unit_label(line.product.unit),
                "sku": line.product.sku,
            },
        )
    return _back(request, reverse("ordering:cart"))


@buyer_required
def cart(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    check = cart_check(principal=principal)
    return render(
        request,
        "ordering/cart.html",
        {"check": check, "company": principal.company, "catalog_url": _catalog_url(request)},
    )


@buyer_required
@require_POST
def cart_line(request: HttpRequest, line_id: int) -> HttpResponse:
    principal = Principal.for_buyer(request)
    try:
        if request.POST.get("action") == "remove":
            cart_line_remove(principal=principal, line_id=line_id)
        else:
            form = LineQuantityForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(str(form.errors["quantity"][0]), field="quantity")
            cart_line_set_quantity(
                principal=principal,
                line_id=line_id,
                quantity=form.cleaned_data["quantity"],
            )
    except ApplicationError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.message)
    return redirect("ordering:cart")


@buyer_required
@require_POST
def cart_backorder(request: HttpRequest) -> HttpResponse:
    """The buyer's choice for lines short of stock: ``ship_now`` (what is there now, the rest
    when it arrives) or ``in_stock_only`` (back to the cart's "Order N instead" fixes)."""
    principal = Principal.for_buyer(request)
    choice = request.POST.get("choice", "")
    if choice not in ("ship_now", "in_stock_only"):
        messages.error(request, gettext("Choose how to ship the lines we don't have in stock."))
        return redirect("ordering:cart")
    cart_backorder_set(principal=principal, accepted=choice == "ship_now")
    if choice == "ship_now":
        messages.success(
            request,
            gettext(
                "We'll ship what is in stock now and the rest when it arrives. You can check out."
            ),
        )
    return redirect("ordering:cart")


@buyer_required
def quick_order(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    if request.method == "POST" and request.POST.get("form") == "one":
        return _quick_order_one(request, principal)
    result = None
    form = QuickOrderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("csv")
        try:
            rows = parse_lines(form.cleaned_data.get("lines") or "")
            if upload:
                rows += parse_csv(upload.read())
        except QuickOrderRefused as error:
            # Nothing of a refused text or file is added: the buyer fixes it and sends it again.
            form.add_error(error.field, str(error))
        else:
            if request.POST.get("action") == "quote":
                return _quick_order_quote(rows)
            result = quick_order_add(principal=principal, rows=rows)
            if result.added and not result.errors:
                messages.success(request, _added_message(len(result.added)))
                return redirect("ordering:cart")
            if result.added:
                messages.success(request, _added_message(len(result.added)))
            form = QuickOrderForm(
                initial={"lines": "\n".join(_row_text(row) for row in result.errors if row.sku)}
            )
    return render(
        request,
        "ordering/quick_order.html",
        {"form": form, "result": result, "max_rows": MAX_ROWS},
    )


# A quote request takes 50 lines: one more makes its form say so (and keeps the address short).
QUOTE_ROWS = 51


def _quick_order_quote(rows: list[QuickRow]) -> HttpResponse:
    """ "Request a quote for these lines": the quote request form, prefilled with the lines
    (nothing goes to the cart; the request form judges them when it is sent)."""
    query = [
        (name, value)
        for row in rows[:QUOTE_ROWS]
        if row.sku
        for name, value in (
            ("sku", row.sku.upper()),  # as the request form reads SKUs
            ("quantity", f"{row.quantity.normalize():f}" if row.quantity is not None else ""),
        )
    ]
    return HttpResponseRedirect(reverse("quotes:new") + ("?" + urlencode(query) if query else ""))


def _quick_order_one(request: HttpRequest, principal: Principal) -> HttpResponse:
    """The one-product form (the SKU field with suggestions, or typed without scripts): added
    as a quick-order line, so a SKU in lower case is found as in the lines box; the buyer
    stays on quick order to add the next one, with what happened said there."""
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("ordering:quick_order")
    quantity: Decimal = form.cleaned_data["quantity"]
    row = QuickRow(1, form.cleaned_data["sku"].strip(), quantity)
    result = quick_order_add(principal=principal, rows=[row])
    if result.errors:
        messages.error(request, result.errors[0].error)
        return redirect("ordering:quick_order")
    [added] = result.added
    product = product_for_store(store=principal.require_store(), sku=added.sku)
    unit = money.unit_label(product.unit) if product is not None else ""
    messages.success(
        request,
        gettext("Added %(quantity)s %(unit)s of %(sku)s to your cart.")
        % {"quantity": money.format_number(quantity), "unit": unit, "sku": added.sku},
    )
    return redirect("ordering:quick_order")


@require_GET
@never_cache
def quick_order_suggestions(request: HttpRequest) -> JsonResponse:
    """Products of the store matching ``q`` (SKU or name), with the buyer's company's price and
    a stock hint, for the quick-order page's SKU field. Signed-in buyers of the store only:
    anyone else gets a refusal that names no product."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": gettext("Sign in to see products.")}, status=403)
    try:
        store, membership = store_buyer(request)
    except Http404:
        return JsonResponse({"error": gettext("You don't buy in this store.")}, status=404)
    wait = suggestions_wait(store_id=store.id, user_id=membership.user_id)
    if wait:
        refused = JsonResponse(
            {
                "error": gettext(
                    "Too many look-ups in a short time: wait %(seconds)d seconds, then type "
                    "again (or paste your SKUs and quantities below)."
                )
                % {"seconds": wait},
                "suggestions": [],
            },
            status=429,
        )
        refused["Retry-After"] = str(wait)
        return refused
    try:
        query = suggestion_query(request.GET.get("q", ""))
    except QuickOrderRefused as error:
        return JsonResponse({"error": str(error), "suggestions": []}, status=400)
    found = sku_suggestions(store=store, customer=membership.company.code, query=query)
    return JsonResponse(
        {
            "query": query,
            "suggestions": [
                {
                    "sku": s.sku,
                    "name": s.name,
                    "unit": s.unit,
                    "price": s.price,
                    "availability": s.availability,
                }
                for s in found
            ],
        }
    )


@buyer_required
@require_GET
def quick_order_template(request: HttpRequest, variant: str) -> HttpResponse:
    """The CSV file to fill in for quick order's upload: ``csv`` (comma separated, UTF-8) or
    ``excel`` (semicolons, UTF-8 with a byte-order mark, as spreadsheets on Windows read it)."""
    principal = Principal.for_buyer(request)
    if variant not in CSV_TEMPLATE_VARIANTS:
        raise Http404
    name = "quick-order-template" + ("-excel" if variant == "excel" else "")
    text = csv_template(
        store=principal.require_store(), customer=principal.company.code, variant=variant
    )
    response = HttpResponse(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    # Its examples are what this company can order from stock today: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


def _added_message(count: int) -> str:
    return ngettext(
        "%(count)d line added to your cart.", "%(count)d lines added to your cart.", count
    ) % {"count": count}


def _row_text(row) -> str:
    """A line not added, as the buyer writes it again: their own quantity kept, valid or not."""
    if row.quantity is not None:
        return f"{row.sku} {row.quantity.normalize():f}"
    return f"{row.sku} {row.typed}" if row.typed else row.sku


@buyer_required
def checkout(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    store, membership = cart_owner(principal)
    if request.method == "POST":
        # A form whose order is already placed (double click, retry, back button) lands on
        # that order, even though the cart has been emptied since.
        placed = selectors.order_for_submit_token(
            company=membership.company,
            store_id=store.id,
            token=request.POST.get("submit_token", ""),
        )
        if placed is not None:
            return redirect("ordering:order", number=placed.number)
    lines = list(selectors.cart_lines(store_id=store.id, membership=membership))
    if not lines:
        messages.info(request, gettext("Your cart is empty."))
        return redirect("ordering:cart")
    addresses = list(company_ship_to_addresses(company=membership.company))
    # The company's cost centres, with what is left of this month's budget (approvals).
    budgets = approval_selectors.budgets_this_month(
        company=membership.company, currency=store.currency
    )
    form = CheckoutForm(
        request.POST or None,
        addresses=addresses,
        line_ids=[line.id for line in lines],
        cost_centres=[(b.code, f"{b.code} {b.name}".strip()) for b in budgets],
        initial={
            "submit_token": new_submit_token(),
            "ship_to": addresses[0].id if addresses else None,
        },
    )
    moved: dict[int, Decimal | None] = {}
    if request.method == "POST" and form.is_valid():
        try:
            order = order_place(
                principal=principal,
                request=CheckoutRequest(
                    submit_token=form.cleaned_data["submit_token"],
                    ship_to_id=form.cleaned_data["ship_to"].id,
                    requested_delivery_date=form.cleaned_data["requested_delivery_date"],
                    po_number=form.cleaned_data["po_number"],
                    notes=form.cleaned_data["notes"],
                    cost_centre=form.cleaned_data.get("cost_centre", ""),
                    line_ship_to=form.line_ship_to(),
                    seen_prices=seen_prices_read(
                        principal=principal, token=form.cleaned_data["seen_prices"]
                    ),
                ),
            )
        except CartNotOrderable as refused:
            messages.error(request, refused.message)
            return redirect("ordering:cart")
        except PricesMoved as moved_prices:
            # Shown again with the new prices marked; placing it again accepts them.
            form.add_error(None, moved_prices.message)
            moved = dict(moved_prices.moved)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("ordering:order", number=order.number)
    elif request.method == "POST":
        form.submit_token_refused()
    # The verdict shown is for the ship-to on the form (the one the buyer chose, once valid).
    chosen = form.cleaned_data.get("ship_to") if form.is_bound and form.is_valid() else None
    check = cart_check(
        principal=principal,
        ship_to_id=chosen.id if chosen is not None else form.initial.get("ship_to"),
    )
    totals = checkout_totals(store=store, company=membership.company, check=check)
    return render(
        request,
        "ordering/checkout.html",
        {
            "form": form,
            "check": check,
            "totals": totals,
            "lines": lines,
            "company": membership.company,
            "budgets": budgets,
            "moved_ids": set(moved),
            "moved_lines": [
                {"line": line, "was": moved.get(line.wanted.line_id or 0)}
                for line in check.lines
                if line.wanted.line_id in moved
            ],
            "seen_prices": seen_prices_sign(principal=principal, check=check),
        },
    )


@buyer_required
def order_list(request: HttpRequest) -> HttpResponse:
    """The company's orders: ERP sales (web and phone) and web orders not confirmed yet,
    filtered and 25 to a page."""
    store, membership = store_buyer(request)
    # Read before the orders: any order change of the company moves its version on.
    depends_on = buyer_page_dependencies(
        user_id=membership.user_id, company_id=membership.company_id
    )
    form = OrderFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "ordering/order_list.html",
            {"form": form, "orders": None, "company": membership.company},
            status=400,
        )
    rows = order_history.company_orders(
        company=membership.company, store_id=store.id, filters=form.filters()
    )
    page = Paginator(rows, order_history.PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = order_history.order_rows(
        page.object_list, company=membership.company, store_id=store.id
    )
    mark_cacheable(request, depends_on=depends_on, reads=(*OrderFilterForm.base_fields, "page"))
    return render(
        request,
        "ordering/order_list.html",
        {"form": form, "orders": page, "company": membership.company},
    )


@buyer_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A web order (by its number) or an ERP sale (by the ERP's number), refreshed from the
    ERP on view through the gateway's short cache; another company's answers 404. The page and
    its rules are ``order_page``'s, as the console's and the API's are."""
    principal = Principal.for_buyer(request)
    fresh = order_page_refresh(principal=principal, number=number)
    page = order_page(principal=principal, number=number, fresh=fresh)
    if page is None:
        raise Http404("No such order")
    if page.moved:  # a web order's sale: the page is the order's
        return redirect("ordering:order", number=page.number)
    context = {
        "page": page,
        "fresh": page.fresh,
        "company": principal.company,
        "actions": page.actions,
        "order_number": page.number,
    }
    if page.order is not None:
        context |= {"order": page.order, "sales": list(page.sales), "totals": page.totals}
        return render(request, "ordering/order_detail.html", context)
    return render(request, "ordering/sale_detail.html", context | {"sale": page.sales[0]})


@buyer_required
@require_POST
def reorder(request: HttpRequest, number: str) -> HttpResponse:
    """Any of the company's orders (web or phone) into the cart again; what changed since is
    said, line by line, and the cart shows the ERP's verdict."""
    try:
        result = order_reorder(principal=Principal.for_buyer(request), number=number)
    except ApplicationError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.message)
        return redirect("ordering:order", number=number)
    if result.added:
        messages.success(
            request,
            gettext("Order %(number)s: %(added)s")
            % {"number": number, "added": _added_message(len(result.added))},
        )
    if not result.changes and result.added:
        messages.info(
            request,
            gettext("Nothing changed since: same prices, and every line can be ordered."),
        )
    for change in result.changes:
        messages.warning(request, change)
    return redirect("ordering:cart")


@buyer_required
def order_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The order confirmation of any of the company's orders as a PDF; 404 for anything else."""
    from .documents import order_confirmation_pdf

    store, membership = store_buyer(request)
    pdf = order_confirmation_pdf(store=store, membership=membership, number=number)
    if pdf is None:
        raise Http404("No such order")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="order-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _catalog_url(request: HttpRequest) -> str:
    page = catalog_page_for_store(store=request.store)  # type: ignore[attr-defined]
    return page.get_url(request) if page is not None else "/"
