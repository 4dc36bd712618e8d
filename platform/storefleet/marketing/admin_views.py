"""The store's sales team's screens in the Wagtail admin: the leads of their own stores and
where each stands in the ERP. A lead of another store is not found, as an unknown one is."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors

PER_PAGE = 50


def _int(value: str | None) -> int | None:
    # ASCII digits and few of them: anything else is "no such store", never an error page.
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def lead_index(request: HttpRequest) -> HttpResponse:
    stores = list(selectors.lead_stores(user=request.user).order_by("name"))
    store_id = _int(request.GET.get("store"))
    if store_id is not None and store_id not in {store.pk for store in stores}:
        store_id = -1  # another store's id: nothing, and no hint that it exists
    leads = selectors.lead_list(user=request.user, store_id=store_id)
    page = Paginator(leads, PER_PAGE).get_page(request.GET.get("p"))
    rows = list(page.object_list)
    standings = selectors.lead_standings(rows)
    return render(
        request,
        "marketing/admin/leads.html",
        {
            "stores": stores,
            "store_id": store_id,
            "page_obj": page,
            "rows": [(lead, standings[lead.id]) for lead in rows],
        },
    )


def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    if lead is None:
        raise Http404("No such lead")
    standing = selectors.lead_standings([lead])[lead.id]
    return render(
        request,
        "marketing/admin/lead.html",
        {"lead": lead, "standing": standing, "answers": sorted(lead.form_data.items())},
    )
