"""Admin walls between brands where Wagtail's permission model is global rather than per store.

Pages, collections (images, documents) and site settings are already scoped by the per-store
group permissions that :func:`storefleet.tenants.services.store_create` grants. The page
chooser, though, lists every page of every site to anyone who may choose pages at all: here it
is narrowed to the trees of the stores the user edits (in each of their languages).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from wagtail import hooks
from wagtail.models import GroupPagePermission, Page

from storefleet.tenants.selectors import stores_editable_by

from .middleware import note_query_parameters
from .walls import store_tree_paths


def _store_tree_filter(request: HttpRequest) -> Q | None:
    """A filter matching the pages of the user's stores; ``None`` when the user sees all."""
    user = request.user
    if user.is_superuser:
        return None
    cached = getattr(request, "_storefleet_tree_filter", None)
    if cached is not None:
        return cached
    root_paths = store_tree_paths(
        stores_editable_by(user).values_list("site__root_page", flat=True)
    )
    # A translator holds page permissions on one language's tree of a store (``translations``).
    root_paths += GroupPagePermission.objects.filter(group__user=user).values_list(
        "page__path", flat=True
    )
    tree = Q(pk__in=[])
    for path in root_paths:
        tree |= Q(path__startswith=path)
    request._storefleet_tree_filter = tree  # type: ignore[attr-defined]
    return tree


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser_to_own_stores(pages: QuerySet[Page], request: HttpRequest) -> QuerySet[Page]:
    tree = _store_tree_filter(request)
    if tree is None:
        return pages
    match = request.resolver_match
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is not None:
        # Browsing into another brand's tree by URL shows nothing of it, not even its title.
        is_root = Page.objects.filter(pk=parent_id, depth=1).exists()
        if not is_root and not Page.objects.filter(tree, pk=parent_id).exists():
            raise Http404
    return pages.filter(tree)


@hooks.register("before_serve_page")
def note_page_query_parameters(
    page: Page, request: HttpRequest, args: object, kwargs: object
) -> None:
    """Tell the page caches which query parameters this page reads (the rest aren't keyed)."""
    note_query_parameters(request, page)
