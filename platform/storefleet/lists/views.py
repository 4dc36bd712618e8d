"""Storefront views of saved lists on a store's host. They parse the form, call one service
or selector and render; another company's list, or a colleague's private one, answers 404
like a list that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from storefleet.accounts.access import buyer_required, store_buyer
from storefleet.errors import ApplicationError
from storefleet.ordering.cart import QuickOrderResult
from storefleet.ordering.views import _back

from . import selectors, services
from .forms import AddToListForm, LineQuantityForm, ListForm, line_ids_chosen


def _refused(request: HttpRequest, error: ApplicationError) -> None:
    """A list outside the caller's reach is "not found"; anything else (a colleague's shared
    list they may not rename or delete included) is said on the page."""
    if error.code == "not_found":
        raise Http404("No such list") from error
    messages.error(request, error.message)


@buyer_required
def index(request: HttpRequest) -> HttpResponse:
    store, membership = store_buyer(request)
    form = ListForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, form.first_error())
            return redirect("lists:index")
        try:
            saved_list = services.list_create(
                store=store,
                membership=membership,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data["shared"],
            )
        except ApplicationError as error:
            _refused(request, error)
            return redirect("lists:index")
        messages.success(request, _("List “%(name)s” made.") % {"name": saved_list.name})
        return redirect("lists:detail", list_id=saved_list.id)
    return render(
        request,
        "lists/index.html",
        {
            "lists": selectors.list_overview(store_id=store.id, membership=membership),
            "form": form,
            "company": membership.company,
        },
    )


@buyer_required
def detail(request: HttpRequest, list_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    saved_list = selectors.list_for(store_id=store.id, membership=membership, list_id=list_id)
    if saved_list is None:
        raise Http404("No such list")
    return render(
        request,
        "lists/detail.html",
        {
            "list": saved_list,
            "lines": selectors.list_lines(saved_list=saved_list),
            "owned": saved_list.owner_id == membership.user_id,
            "form": ListForm(initial={"name": saved_list.name, "shared": saved_list.shared}),
            "company": membership.company,
        },
    )


@buyer_required
@require_POST
def update(request: HttpRequest, list_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    form = ListForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("lists:detail", list_id=list_id)
    try:
        services.list_update(
            store=store,
            membership=membership,
            list_id=list_id,
            name=form.cleaned_data["name"],
            shared=form.cleaned_data["shared"],
        )
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("List saved."))
    return redirect("lists:detail", list_id=list_id)


@buyer_required
@require_POST
def delete(request: HttpRequest, list_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    try:
        services.list_delete(store=store, membership=membership, list_id=list_id)
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("List deleted."))
    return redirect("lists:index")


@buyer_required
@require_POST
def line(request: HttpRequest, list_id: int, line_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    try:
        if request.POST.get("action") == "remove":
            services.list_line_remove(
                store=store, membership=membership, list_id=list_id, line_id=line_id
            )
        else:
            form = LineQuantityForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(str(form.errors["quantity"][0]), field="quantity")
            services.list_line_set_quantity(
                store=store,
                membership=membership,
                list_id=list_id,
                line_id=line_id,
                quantity=form.cleaned_data["quantity"],
            )
    except ApplicationError as error:
        _refused(request, error)
    return redirect("lists:detail", list_id=list_id)


@buyer_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    """Add a product to a list from the product page or the catalog (a new list, if chosen)."""
    store, membership = store_buyer(request)
    form = AddToListForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _back(request, reverse("lists:index"))
    list_id = form.cleaned_data["list"]
    try:
        if list_id is None:
            list_id = services.list_create(
                store=store, membership=membership, name=form.cleaned_data["name"]
            ).id
        line = services.list_line_add(
            store=store,
            membership=membership,
            list_id=list_id,
            sku=form.cleaned_data["sku"],
            quantity=form.cleaned_data["quantity"],
        )
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Added %(quantity)s %(unit)s of %(sku)s to your list “%(name)s”.")
            % {
                "quantity": f"{form.cleaned_data['quantity'].normalize():f}",
                "unit": line.product.unit,
                "sku": line.product.sku,
                "name": line.saved_list.name,
            },
        )
    return _back(request, reverse("lists:index"))


@buyer_required
@require_POST
def from_cart(request: HttpRequest) -> HttpResponse:
    store, membership = store_buyer(request)
    form = ListForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("ordering:cart")
    try:
        saved_list = services.list_from_cart(
            store=store,
            membership=membership,
            name=form.cleaned_data["name"],
            shared=form.cleaned_data["shared"],
        )
    except ApplicationError as error:
        _refused(request, error)
        return redirect("ordering:cart")
    messages.success(
        request, _("Your cart is saved as the list “%(name)s”.") % {"name": saved_list.name}
    )
    return redirect("lists:detail", list_id=saved_list.id)


@buyer_required
@require_POST
def order(request: HttpRequest, list_id: int) -> HttpResponse:
    """Order the whole list, or the lines ticked (``action=selected``): into the cart, where
    the ERP's verdict says what can be ordered."""
    store, membership = store_buyer(request)
    line_ids = None
    if request.POST.get("action") == "selected":
        line_ids = line_ids_chosen(request.POST)
        if line_ids is None:
            messages.error(request, _("Tick the lines you want to order, then try again."))
            return redirect("lists:detail", list_id=list_id)
    try:
        result = services.list_order(
            store=store, membership=membership, list_id=list_id, line_ids=line_ids
        )
    except ApplicationError as error:
        _refused(request, error)
        return redirect("lists:detail", list_id=list_id)
    _result_messages(request, result)
    return redirect("ordering:cart")


def _result_messages(request: HttpRequest, result: QuickOrderResult) -> None:
    if result.added:
        count = len(result.added)
        messages.success(
            request,
            ngettext(
                "%(count)d line of the list added to your cart.",
                "%(count)d lines of the list added to your cart.",
                count,
            )
            % {"count": count},
        )
    for row in result.errors:
        messages.error(request, f"{row.sku}: {row.error}")
