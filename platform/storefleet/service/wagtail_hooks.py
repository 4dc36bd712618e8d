from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from storefleet.accounts.selectors import agent_account_requests
from storefleet.admin_home import WorkItem, WorkPanel
from storefleet.quotes import selectors as quote_selectors
from storefleet.quotes.models import QuoteState

from . import quote_urls, views
from .selectors import agent_stores, is_agent


@hooks.register("register_admin_urls")
def register_service_urls() -> list[URLPattern]:
    return [
        path("service/", views.company_search, name="service_search"),
        path("service/companies/<int:company_id>/", views.company_detail, name="service_company"),
        path(
            "service/companies/<int:company_id>/orders/<str:number>/",
            views.order_detail,
            name="service_order",
        ),
        path(
            "service/companies/<int:company_id>/cancel/",
            views.order_cancel,
            name="service_order_cancel",
        ),
        path(
            "service/companies/<int:company_id>/resend-confirmation/",
            views.confirmation_resend,
            name="service_confirmation_resend",
        ),
        path(
            "service/companies/<int:company_id>/orders/<str:number>/return/",
            views.return_create,
            name="service_return_create",
        ),
        path(
            "service/companies/<int:company_id>/invoices/<str:number>.pdf",
            views.invoice_document,
            name="service_invoice_document",
        ),
        path(
            "service/companies/<int:company_id>/act-as/",
            views.acting_start,
            name="service_acting_start",
        ),
        *quote_urls.urlpatterns,
    ]


class ServiceMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return is_agent(request.user)


@hooks.register("register_admin_menu_item")
def register_service_menu_item() -> MenuItem:
    return ServiceMenuItem(
        "Customer service", reverse("service_search"), icon_name="group", order=250
    )


@hooks.register("register_admin_menu_item")
def register_service_quotes_menu_item() -> MenuItem:
    return ServiceMenuItem("Quotes", reverse("service_quotes"), icon_name="doc-full", order=251)


@hooks.register("construct_homepage_panels")
def add_service_panel(request: HttpRequest, panels: list[Any]) -> None:
    """An agent lands on what waits for them in the stores they serve."""
    user = request.user
    if not isinstance(user, User) or not is_agent(user):
        return
    store_ids = list(agent_stores(user).values_list("id", flat=True))
    quotes = quote_selectors.agent_quotes(store_ids=store_ids).order_by()
    revisions = quotes.filter(state=QuoteState.REVISION).count()
    requests = agent_account_requests(user=user).count()
    panels.append(
        WorkPanel(
            name="customer-service",
            heading="Service desk",
            order=50,
            items=[
                WorkItem(
                    "Revisions buyers asked for",
                    reverse("service_quotes"),
                    revisions,
                    urgent=bool(revisions),
                ),
                WorkItem("Open requests for quote", reverse("service_quotes"), quotes.count()),
                WorkItem(
                    "Sign-up requests to decide",
                    reverse("accounts_agent_requests"),
                    requests,
                    urgent=bool(requests),
                ),
            ],
            action=WorkItem("Find a company", reverse("service_search")),
        )
    )
