"""Many buyers for `make bench-storefront` (part e): customers in the reference ERP, their
companies and buyers in the platform, and signed-in sessions to replay with wrk.

Two halves, run in two places:
- ``erp_customers_create`` runs in the benchmark's own process against the reference ERP it
  started (stdlib JSON-RPC, tests/erp_support.py): it adds customers shaped as the seed's are
  (a code the platform's customer domain takes, an address in Germany so they buy in the Ferrum
  store, the sale price list and payment term of one of the seed's customers in turn). The
  platform's companies are one per ERP customer (``Company.code`` and ``erp_id`` are unique), so
  200 companies need 200 ERP customers; their prices are the ERP's own, asked per customer.
- ``python storefront_buyers.py OUT COMPANIES PER_COMPANY SESSION_SETS HOST`` runs in the
  platform's environment (the benchmark's scratch database, after the ERP sync): the companies
  may buy in the store, ``PER_COMPANY`` buyers each, and ``SESSION_SETS`` sets of one fresh
  signed-in session per buyer (minted through Django's session engine, as a sign-in leaves it,
  with a CSRF cookie of its own), written to ``OUT/sessions-<n>.tsv`` as one line per request
  (cookie, tab, path): each buyer's five pages in turn. Prints one JSON line: the paths.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CODE_PREFIX = "C-5"  # the platform's ERP_CUSTOMER_DOMAIN mirrors codes like "C-%"


def customer_code(index: int) -> str:
    return f"{CODE_PREFIX}{index:03d}"


def erp_customers_create(client: Any, count: int) -> list[str]:
    """``count`` more customers in the reference ERP; returns their codes."""
    seeded = client.search_read(
        "party.party",
        [["code", "like", "C-1%"]],
        ["sale_price_list", "customer_payment_term"],
        order=[["code", "ASC"]],
    )
    terms = [row for row in seeded if row["customer_payment_term"]]
    (germany,) = client.search_read("country.country", [["code", "=", "DE"]], ["id"])
    values = []
    for index in range(1, count + 1):
        model = terms[index % len(terms)]
        values.append(
            {
                "name": f"Bench Customer {index:03d} GmbH",
                "code": customer_code(index),
                "addresses": [
                    (
                        "create",
                        [
                            {
                                "street": f"Benchstraße {index}",
                                "postal_code": f"{40000 + index}",
                                "city": "Essen",
                                "country": germany["id"],
                                "invoice": True,
                                "delivery": True,
                            }
                        ],
                    )
                ],
                "customer_payment_term": model["customer_payment_term"],
                "sale_price_list": model["sale_price_list"],
            }
        )
    client.model("party.party", "create", values)
    return [customer_code(i) for i in range(1, count + 1)]


def _paths(host: str, companies: int) -> list[list[str]]:
    """Each company's five pages: the product list, a category, three products (spread over
    the store's assortment, different from one company to the next)."""
    from storefleet.catalog.selectors import (
        catalog_page_for_store,
        category_list,
        product_list,
        store_assortment,
    )
    from storefleet.tenants.selectors import store_for_hostname

    store = store_for_hostname(host)
    assert store is not None, host
    page = catalog_page_for_store(store=store)
    assert page is not None, f"{host} has no catalog page"
    catalog = page.url_path.removeprefix(page.get_site().root_page.url_path).strip("/")
    base = f"/{catalog}/"
    assortment = store_assortment(store=store)
    skus = list(product_list(assortment=assortment).values_list("sku", flat=True))
    categories = [c.pk for c in category_list(assortment=assortment)]
    assert skus and categories, "the store sells nothing"
    paths = []
    for index in range(companies):
        products = [skus[(index * 7 + k * 31) % len(skus)] for k in range(3)]
        paths.append(
            [
                base,
                f"{base}?category={categories[index % len(categories)]}",
                *(f"{base}{sku}/" for sku in products),
            ]
        )
    return paths


def main(out: Path, companies: int, per_company: int, session_sets: int, host: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    from storefleet.accounts.models import Company, MemberRole, Membership
    from storefleet.accounts.services import company_stores_set
    from storefleet.tenants.models import Store

    store = Store.objects.get(site__hostname=host)
    chosen = list(Company.objects.filter(code__startswith=CODE_PREFIX).order_by("code"))
    assert len(chosen) >= companies, f"only {len(chosen)} bench companies were mirrored"
    chosen = chosen[:companies]
    users = get_user_model()
    # No password anyone could sign in with (and no hashing 1,000 of them): sessions are
    # minted below, as a sign-in would leave them.
    unusable = make_password(None)
    users.objects.bulk_create(
        [
            users(username=f"bench.{c.code}.{n}", email=f"{n}@{c.code}.bench", password=unusable)
            for c in chosen
            for n in range(per_company)
        ]
    )
    made = list(users.objects.filter(username__startswith="bench.").order_by("id"))
    by_username = {u.username: u for u in made}
    memberships = []
    for company in chosen:
        company_stores_set(company=company, stores=[store])
        for n in range(per_company):
            user = by_username[f"bench.{company.code}.{n}"]
            memberships.append(Membership(company=company, user=user, role=MemberRole.BUYER))
    Membership.objects.bulk_create(memberships)

    session_store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    # The backend a sign-in records: the first that finds users (axes' only counts failures).
    backend = next(
        b for b in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(b), "get_user")
    )
    paths = _paths(host, companies)
    # Buyer by buyer, taking the companies in turn (buyer 1 of each company, then buyer 2, ...):
    # consecutive buyers are of different companies, as many buyers at once would be.
    order = [(c, n) for n in range(per_company) for c in range(companies)]
    for number in range(session_sets):
        lines = []
        for company_index, n in order:
            user = by_username[f"bench.{chosen[company_index].code}.{n}"]
            session = session_store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            cookie = (
                f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={get_random_string(32)}"
            )
            lines += [f"{cookie}\t{path}" for path in paths[company_index]]
        (out / f"sessions-{number}.tsv").write_text("\n".join(lines) + "\n")
    print(json.dumps({"paths": paths[0], "buyers": len(order), "companies": len(chosen)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:5]), sys.argv[5])
