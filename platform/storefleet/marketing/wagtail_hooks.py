import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from storefleet.admin_home import WorkItem, WorkPanel

from . import admin_views
from .selectors import lead_list, lead_stores

# Stores listed on the home page (platform IT sees every store's leads in the Leads screen).
HOME_STORES = 8


@hooks.register("register_admin_urls")
def register_lead_urls() -> list[URLPattern]:
    return [
        path("leads/", admin_views.lead_index, name="marketing_leads"),
        path("leads/<int:lead_id>/", admin_views.lead_detail, name="marketing_lead"),
    ]


class LeadsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return lead_stores(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_leads_menu_item() -> MenuItem:
    return LeadsMenuItem("Leads", reverse("marketing_leads"), icon_name="mail", order=260)


@hooks.register("construct_homepage_panels")
def add_leads_panel(request: HttpRequest, panels: list[Any]) -> None:
    """The store's marketing and sales team land on the leads that came in, and on those the
    ERP does not hold yet (on their way, or refused)."""
    stores = list(lead_stores(user=request.user))
    if not stores:
        return
    week_ago = timezone.now() - datetime.timedelta(days=7)
    items = []
    for store in stores[:HOME_STORES]:
        leads = lead_list(user=request.user, store_id=store.pk).order_by()
        url = f"{reverse('marketing_leads')}?{urlencode({'store': store.pk})}"
        unsent = leads.filter(sent_at__isnull=True).count()
        items.append(
            WorkItem(
                f"{store.name}: the last 7 days",
                url,
                leads.filter(submit_time__gte=week_ago).count(),
                note=f"{unsent} not in the ERP yet" if unsent else "",
                urgent=bool(unsent),
            )
        )
    panels.append(WorkPanel(name="leads", heading="Sales enquiries", order=70, items=items))
