"""Every address the platform writes reaches the store the way the public does: the pages of a
store link relatively (cached or not), everything written without a request (e-mails, the
admin's links to a store, the demo's output) carries the store's canonical scheme, host and
port — on a non-default port and behind TLS."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from storefleet.accounts.models import Address, Company, MemberRole
from storefleet.accounts.services import membership_create
from storefleet.brand.models import NavigationSettings
from storefleet.ordering.models import Order, OrderStatus
from storefleet.ordering.notifications import order_outcome
from storefleet.origins import origin, public_base_url
from storefleet.tenants.checks import public_address_check
from storefleet.tenants.services import store_sites_port_sync

pytestmark = pytest.mark.django_db

PORT = 8100


def _public(settings, scheme: str = "http", port: int | None = PORT) -> None:  # type: ignore[no-untyped-def]
    """The platform now answers on ``scheme`` and ``port``, and the stores' Sites know it (what
    ``make demo`` does with its PORT)."""
    settings.STOREFLEET_PUBLIC_SCHEME, settings.STOREFLEET_PUBLIC_PORT = scheme, port
    if scheme == "https":
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    store_sites_port_sync()


def _hrefs(body: str) -> list[str]:
    """The links a visitor follows (anchors and the like; not the canonical address in <head>)."""
    return re.findall(r'<(?!link rel="canonical")[^>]*\shref="([^"]*)"', body)


def _link(label: str, page=None, url: str = "") -> dict:  # type: ignore[no-untyped-def]
    return {"label": label, "page": page.pk if page else None, "url": url}


@pytest.fixture
def linked(ferrum, hydra):  # type: ignore[no-untyped-def]
    """Ferrum's header, footer and hero teaser link its own pages, one other store's page and
    an external address."""
    navigation = NavigationSettings.for_site(ferrum.store.site)
    navigation.primary_links = json.dumps(
        [
            {"type": "link", "value": _link("About", ferrum.content)},
            {"type": "link", "value": _link("Hydra", hydra.landing)},
        ]
    )
    navigation.footer_columns = json.dumps(
        [
            {
                "type": "column",
                "value": {
                    "heading": "Company",
                    "links": [
                        _link("Campaign", ferrum.landing),
                        _link("Elsewhere", url="https://example.com/x"),
                    ],
                },
            }
        ]
    )
    navigation.save()
    home = ferrum.home.specific
    home.body = json.dumps(
        [
            {
                "type": "hero",
                "value": {
                    "heading": "Hero",
                    "eyebrow": "",
                    "text": "",
                    "image": None,
                    "primary_action": _link("See the campaign", ferrum.landing),
                    "secondary_action": _link("Read about us", ferrum.content),
                },
            }
        ]
    )
    home.save_revision().publish()
    return ferrum


def test_the_canonical_address_leaves_out_only_the_schemes_default_port():
    assert origin(scheme="http", host="ferrum.localhost", port=8100) == (
        "http://ferrum.localhost:8100"
    )
    assert origin(scheme="http", host="ferrum.localhost", port=80) == "http://ferrum.localhost"
    assert origin(scheme="https", host="shop.example.com", port=443) == "https://shop.example.com"
    assert origin(scheme="https", host="shop.example.com", port=8443) == (
        "https://shop.example.com:8443"
    )
    assert origin(scheme="http", host="shop.example.com", port=443) == (
        "http://shop.example.com:443"
    )


@pytest.mark.parametrize("secure", [False, True])
def test_header_footer_and_teaser_links_are_relative_on_any_port_cached_or_not(
    client, linked, settings, secure
):
    _public(settings, "https", None) if secure else _public(settings)
    extra = {"HTTP_X_FORWARDED_PROTO": "https"} if secure else {}
    host = "ferrum.localhost" if secure else f"ferrum.localhost:{PORT}"
    other = "https://hydra.localhost" if secure else f"http://hydra.localhost:{PORT}"
    renders = [client.get("/", HTTP_HOST=host, **extra) for _ in range(2)]
    assert [r.status_code for r in renders] == [200, 200]
    first, cached = (r.content.decode() for r in renders)
    assert first == cached  # the second one is the page cache's copy
    page_links = [h for h in _hrefs(first) if not h.startswith(("/static/", "/media/", "#"))]
    for expected in ("/about/", "/campaign/", f"{other}/campaign/", "https://example.com/x"):
        assert expected in page_links, (expected, page_links)
    # The hero's two teaser actions and the header and footer: never a port-less absolute URL.
    assert page_links.count("/campaign/") == 2 and page_links.count("/about/") == 2
    assert not [h for h in page_links if h.startswith("http://ferrum.localhost")]
    # The one absolute address, for search engines: the store's, with the public port.
    canonical = "https://ferrum.localhost/" if secure else f"http://ferrum.localhost:{PORT}/"
    assert f'<link rel="canonical" href="{canonical}">' in first


def test_a_page_rendered_for_another_port_links_the_same_way(client, linked, settings):
    # The same store reached on another port (a second runserver): relative links still work.
    _public(settings)
    body = client.get("/", HTTP_HOST="ferrum.localhost:9000").content.decode()
    assert 'href="/about/"' in body


def test_the_admins_live_links_carry_the_public_port(client, linked, admin_user, settings):
    _public(settings)
    client.force_login(admin_user)
    response = client.get(f"/admin/pages/{linked.home.pk}/", HTTP_HOST=f"localhost:{PORT}")
    assert response.status_code == 200
    hrefs = _hrefs(response.content.decode())
    assert f"http://ferrum.localhost:{PORT}/about/" in hrefs
    assert f"http://ferrum.localhost:{PORT}/campaign/" in hrefs
    assert not [h for h in hrefs if h.startswith("http://ferrum.localhost/")]
    assert linked.content.specific.full_url == f"http://ferrum.localhost:{PORT}/about/"


def test_the_admins_live_links_are_https_behind_tls(linked, settings):
    _public(settings, "https", None)
    assert linked.content.specific.full_url == "https://ferrum.localhost/about/"
    assert linked.store.base_url == "https://ferrum.localhost"


def _confirmed_order(store) -> Order:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    company = Company.objects.create(
        erp_id=9001, code="C-9001", name="Nordwerk", erp_write_date=timezone.now()
    )
    address = Address.objects.create(erp_id=9001, company=company, name="Works")
    buyer = get_user_model().objects.create_user("buyer", "buyer@example.com", "pw-123456789")
    return Order.objects.create(
        number="W-000042",
        store=store,
        company=company,
        placed_by=buyer,
        submit_token="t",
        status=OrderStatus.CONFIRMED,
        ship_to=address,
        currency="EUR",
    )


@pytest.mark.parametrize(
    ("scheme", "port", "expected"),
    [
        ("http", PORT, f"http://ferrum.localhost:{PORT}/orders/W-000042/"),
        ("https", None, "https://ferrum.localhost/orders/W-000042/"),
    ],
)
def test_the_order_email_links_the_order_on_the_stores_public_address(
    ferrum, settings, scheme, port, expected
):
    _public(settings, scheme, port)
    assert order_outcome(order=_confirmed_order(ferrum.store)) is True
    [message] = mail.outbox
    assert f"Follow your order: {expected}\n" in message.body


def test_the_store_directory_links_each_store_on_its_public_address(client, ferrum, settings):
    _public(settings)
    body = client.get("/", HTTP_HOST=f"localhost:{PORT}").content.decode()
    assert f'href="http://ferrum.localhost:{PORT}/"' in body


def test_the_demo_output_prints_the_port_the_stores_answer_on(ferrum, hydra, settings):
    _public(settings)
    settings.WAGTAILADMIN_BASE_URL = f"http://localhost:{PORT}"
    out = io.StringIO()
    call_command("demo_info", stdout=out)
    lines = out.getvalue().splitlines()
    ferrum_line = next(line for line in lines if line.strip().startswith(ferrum.store.name))
    hydra_line = next(line for line in lines if line.strip().startswith(hydra.store.name))
    assert f"http://ferrum.localhost:{PORT}/" in ferrum_line
    # One table: every column starts at the same place on every row.
    assert ferrum_line.index("http://") == hydra_line.index("http://")
    assert ferrum_line.index(ferrum.store.currency) == hydra_line.index(hydra.store.currency)
    assert any(f"http://localhost:{PORT}/admin/" in line for line in lines if "Admin" in line)
    assert f"curl -H 'Host: ferrum.localhost:{PORT}' http://127.0.0.1:{PORT}/" in out.getvalue()


def test_the_demo_output_prints_a_languages_own_host(hydra, settings):
    from storefleet.tenants.services import store_language_hosts_apply, store_languages_apply

    _public(settings)
    store_languages_apply(store=hydra.store, languages=("en", "ja"))
    store_language_hosts_apply(store=hydra.store, hosts={"ja": "hydra-ja.localhost"})
    out = io.StringIO()
    call_command("demo_info", stdout=out)
    lines = out.getvalue().splitlines()
    store_line = next(line for line in lines if line.strip().startswith(hydra.store.name))
    [japanese] = [line for line in lines if line.strip().startswith(f"{hydra.store.name} (ja)")]
    assert f"http://hydra-ja.localhost:{PORT}/" in japanese
    assert japanese.index("http://") == store_line.index("http://")


def test_the_demo_output_lists_a_buyer_once_they_can_sign_in_on_their_store(ferrum, settings):
    _public(settings)
    out = io.StringIO()
    call_command("demo_info", stdout=out)
    assert "ferrum.buyer" not in out.getvalue()
    user = get_user_model().objects.create_user("ferrum.buyer", "b@example.com", "x")
    company = Company.objects.create(
        erp_id=9007, code="C-7", name="Seven GmbH", erp_write_date=timezone.now()
    )
    membership_create(company=company, user=user, role=MemberRole.ADMIN)
    out = io.StringIO()
    call_command("demo_info", stdout=out)
    [line] = [line for line in out.getvalue().splitlines() if "ferrum.buyer" in line]
    assert "C-7" in line and f"http://ferrum.localhost:{PORT}/account/sign-in/" in line


def test_public_base_url_is_the_stores_base_url(ferrum, settings):
    _public(settings)
    assert ferrum.store.base_url == public_base_url("Ferrum.localhost")
    assert ferrum.store.base_url == f"http://ferrum.localhost:{PORT}"


def test_sites_follow_the_public_port_and_stores_resolve_on_it(client, ferrum, settings):
    assert ferrum.store.site.port == 80
    settings.STOREFLEET_PUBLIC_PORT = PORT
    assert store_sites_port_sync() == 1
    assert store_sites_port_sync() == 0  # idempotent
    ferrum.store.site.refresh_from_db()
    assert ferrum.store.site.port == PORT
    assert ferrum.store.site.root_url == f"http://ferrum.localhost:{PORT}"
    for host in (f"ferrum.localhost:{PORT}", "ferrum.localhost", "FERRUM.localhost:9000"):
        response = client.get("/", HTTP_HOST=host)
        assert response.status_code == 200 and ferrum.marker in response.content.decode(), host
    settings.STOREFLEET_PUBLIC_SCHEME, settings.STOREFLEET_PUBLIC_PORT = "https", None
    store_sites_port_sync()
    ferrum.store.site.refresh_from_db()
    assert ferrum.store.site.root_url == "https://ferrum.localhost"


def test_a_new_store_is_registered_on_the_public_port(settings):
    from tests.factories import make_store

    settings.STOREFLEET_PUBLIC_PORT = PORT
    assert make_store("nova", "Nova Parts").site.port == PORT


@pytest.mark.parametrize(
    ("scheme", "port", "error"),
    [
        ("http", None, None),
        ("http", 8000, None),
        ("https", None, None),
        ("https", 443, None),
        ("https", 8443, "tenants.E002"),
        ("http", 443, "tenants.E002"),
        ("ftp", None, "tenants.E001"),
    ],
)
def test_a_scheme_and_port_wagtail_cannot_write_stop_the_start(settings, scheme, port, error):
    settings.STOREFLEET_PUBLIC_SCHEME, settings.STOREFLEET_PUBLIC_PORT = scheme, port
    assert [e.id for e in public_address_check()] == ([error] if error else [])


def test_the_command_moves_the_sites_of_an_older_database(ferrum, settings):
    settings.STOREFLEET_PUBLIC_SCHEME = "https"
    out = io.StringIO()
    call_command("store_sites_port", stdout=out)
    assert out.getvalue() == "1 store site(s) moved to port 443.\n"
    ferrum.store.site.refresh_from_db()
    assert ferrum.store.site.root_url == "https://ferrum.localhost"
