"""Wagtail admin reports, scoped to the stores the user edits.

Wagtail's page types usage report counts the pages of every site and names the last edited
page of each type, wherever it is, to anyone who may edit a page; its site filter lists every
site. A brand's editor sees their own stores' counts, last edited pages and sites; platform IT
(superusers) sees Wagtail's report unchanged. Served at Wagtail's own URL (``storefleet.urls``
routes it here first)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import cached_property
from wagtail.admin.views.reports.page_types_usage import (
    PageTypesUsageReportFilterSet,
    PageTypesUsageReportView,
)
from wagtail.models import Page

from storefleet.tenants.selectors import stores_editable_by


def _root_paths(user) -> list[str] | None:
    """The page-tree paths of the user's stores; ``None`` for platform IT (every site)."""
    if user.is_superuser:
        return None
    return list(stores_editable_by(user).values_list("site__root_page__path", flat=True))


def _under(field: str, paths: list[str]) -> Q:
    """``field`` starts with one of ``paths`` (none: matches nothing)."""
    inside = Q(pk__in=[])
    for path in paths:
        inside |= Q(**{f"{field}__startswith": path})
    return inside


class StorePageTypesUsageFilterSet(PageTypesUsageReportFilterSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roots = _root_paths(self.request.user) if self.request else None
        if roots is None or "site" not in self.filters:
            return
        choices = [(path, name) for path, name in self.filters["site"].extra["choices"]()]
        own = [(path, name) for path, name in choices if path in roots]
        if len(own) <= 1:
            del self.filters["site"]
            self.sites_filter_enabled = False
        else:
            self.filters["site"].extra["choices"] = own


class StorePageTypesUsageReportView(PageTypesUsageReportView):
    filterset_class = StorePageTypesUsageFilterSet

    @cached_property
    def root_paths(self) -> list[str] | None:
        return _root_paths(self.request.user)

    def get_queryset(self) -> QuerySet:
        roots = self.root_paths
        if roots is None:
            return super().get_queryset()
        from django.contrib.contenttypes.models import ContentType

        self.queryset = ContentType.objects.filter(model__in=self.page_models)
        queryset = self.filter_queryset(self.queryset)
        cleaned = self.filters.form.cleaned_data if self.filters else {}
        site_root = cleaned.get("site")
        paths = [site_root] if site_root in roots else roots
        pages = _under("path", paths)
        counted = _under("pages__path", paths)
        language_code = cleaned.get("page_locale")
        if language_code:
            pages &= Q(locale__language_code=language_code)
            counted &= Q(pages__locale__language_code=language_code)
        latest_edited = (
            Page.objects.filter(pages, content_type=OuterRef("pk"))
            .order_by(F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk")
            .values("pk")[:1]
        )
        return queryset.annotate(
            count=Count("pages", filter=counted), last_edited_page_id=Subquery(latest_edited)
        ).order_by("-count", "app_label", "model")
