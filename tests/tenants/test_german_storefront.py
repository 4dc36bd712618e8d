"""The German storefront is German: every string of a storefront template is marked for
translation and has German in the committed catalogue (compiled, nothing fuzzy), and the pages
a buyer of a German store walks through show no English of ours.

A string another engineer adds to a storefront template without a German translation fails
``test_every_string_of_a_storefront_template_has_german`` (run ``make messages``, translate
the empty and fuzzy entries of the .po, ``make messages`` again to compile it);
English text written into a template without ``{% translate %}`` fails
``test_storefront_templates_have_no_hard_coded_english``."""

from __future__ import annotations

import gettext
import html
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_python
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

from storefleet.ordering.actions import STAGE_NEXT, STAGE_SUMMARY
from storefleet.ordering.order_history import STAGE_SENTENCES
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.accounts.conftest import FERRUM_HOST, CompanyWorld, make_company

PACKAGE = Path(__file__).resolve().parents[2] / "platform" / "storefleet"
LOCALE = PACKAGE / "locale" / "de" / "LC_MESSAGES"

# The templates a buyer's browser gets (not the admin's, the console's or the launch wizard's).
STOREFRONT_DIRS = (
    "accounts/templates/accounts",
    "billing/templates/billing",
    "brand/templates/brand",
    "catalog/templates/catalog",
    "lists/templates/lists",
    "ordering/templates/ordering",
    "tenants/templates/tenants",
)
STOREFRONT_FILES = (
    "templates/404.html",
    "templates/500.html",
    "service/templates/service/acting_banner.html",
    "service/templates/service/acting_ended.html",
    "service/templates/service/acting_refused.html",
)
NOT_STOREFRONT = ("accounts/templates/accounts/admin/",)


def storefront_templates() -> list[Path]:
    found = [path for d in STOREFRONT_DIRS for path in (PACKAGE / d).rglob("*.html")]
    found += [PACKAGE / f for f in STOREFRONT_FILES]
    return sorted(
        p for p in found if not any(part in str(p) for part in NOT_STOREFRONT) and p.exists()
    )


def catalogue() -> Catalog:
    with (LOCALE / "django.po").open("rb") as po:
        return read_po(po)


def _translated(message) -> bool:  # type: ignore[no-untyped-def]
    string = message.string
    done = bool(string) if isinstance(string, str) else all(string)
    return done and not message.fuzzy


# ------------------------------------------------------------------ the catalogue
def test_the_german_catalogue_is_complete_and_compiled():
    cat = catalogue()
    messages = [m for m in cat if m.id]
    assert len(messages) > 500
    assert [m.id for m in messages if not _translated(m)] == []
    assert list(cat.obsolete) == []
    # The committed .mo is the .po compiled (compilemessages was run after the last change).
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        m.id
        for m in messages
        if isinstance(m.id, str) and m.context is None and compiled.gettext(m.id) != m.string
    ]
    assert stale == []


def test_every_string_of_a_storefront_template_has_german():
    cat = catalogue()
    checked, missing = 0, []
    for path in storefront_templates():
        code = templatize(path.read_text(), origin=str(path))
        for _line, func, message, _comments in extract_python(
            io.BytesIO(code.encode()), DEFAULT_KEYWORDS, [], {}
        ):
            # pgettext: (context, id); ngettext: (singular, plural); gettext: id
            if isinstance(message, tuple) and func in ("pgettext", "npgettext"):
                context, msgid = message[0], message[1]
            else:
                context, msgid = None, message[0] if isinstance(message, tuple) else message
            if not msgid or not re.search(r"[A-Za-z]", msgid):
                continue
            checked += 1
            entry = cat.get(msgid, context=context)
            if entry is None or not _translated(entry):
                missing.append(f"{path.relative_to(PACKAGE)}: {msgid!r}")
    assert checked > 400  # the storefront's templates were read
    assert missing == []


# The buyer-facing modules whose messages (refusals, confirmations) reach the storefront.
STOREFRONT_MODULES = (
    "ordering/cart.py",
    "ordering/checkout.py",
    "ordering/submission.py",
    "ordering/order_ref.py",
    "ordering/cancel.py",
    "ordering/actions.py",
    "ordering/returns/services.py",
    "ordering/returns/selectors.py",
    "ordering/quick_order.py",
    "ordering/views.py",
    "ordering/return_views.py",
)
PYTHON_KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
}


def test_every_message_of_the_buyers_python_modules_has_german():
    cat = catalogue()
    checked, missing = 0, []
    for module in STOREFRONT_MODULES:
        with (PACKAGE / module).open("rb") as source:
            for _line, func, message, _comments in extract_python(source, PYTHON_KEYWORDS, [], {}):
                if isinstance(message, tuple) and func.startswith(("pgettext", "npgettext")):
                    context, msgid = message[0], message[1]
                else:
                    context, msgid = None, message[0] if isinstance(message, tuple) else message
                if not msgid:
                    continue
                checked += 1
                entry = cat.get(msgid, context=context)
                if entry is None or not _translated(entry):
                    missing.append(f"{module}: {msgid!r}")
    assert checked > 50  # the modules were read
    assert missing == []


@pytest.mark.django_db
def test_a_german_buyers_messages_are_german(client, acme, ferrum):
    """Refusals and confirmations the ordering views flash are in the store's language."""
    Store.objects.filter(pk=ferrum.store.pk).update(default_language="de")
    store_host_map_invalidate()
    client.force_login(acme.admin)
    refused = client.post(
        "/cart/backorder/", {"choice": "maybe"}, HTTP_HOST=FERRUM_HOST, follow=True
    ).content.decode()
    assert "Wählen Sie, wie die Positionen geliefert werden sollen" in refused
    assert "Choose how to ship" not in refused
    empty = client.get("/checkout/", HTTP_HOST=FERRUM_HOST, follow=True).content.decode()
    assert "Ihr Warenkorb ist leer." in empty and "Your cart is empty" not in empty


def test_the_order_stage_sentences_have_german():
    """The order page's stage sentences are written in ordering.actions and translated when
    drawn: each must be in ``order_history.STAGE_SENTENCES`` (which puts it in the
    catalogue) and have German."""
    cat = catalogue()
    sentences = {str(s) for s in (*STAGE_SUMMARY.values(), *STAGE_NEXT.values())}
    assert sentences and sentences <= set(STAGE_SENTENCES)
    assert [s for s in sentences if (e := cat.get(s)) is None or not _translated(e)] == []


# ------------------------------------------------------------------ the templates
TOKEN = re.compile(r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]*>)", re.S)
LABEL = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
TAGS = re.compile(r"\{% blocktrans.*?\{% endblocktrans\w* %\}|\{[{%].*?[}%]\}", re.S)
OPENS = re.compile(r"<(?:script|style)\b|\{% (?:comment|blocktranslate|blocktrans)\b")
CLOSES = re.compile(r"</(?:script|style)|\{% (?:endcomment|endblocktranslate|endblocktrans)\b")


def english_outside_translate(source: str) -> list[str]:
    """Text (and labelling attributes) of a template with words in it that is not inside a
    translate or blocktranslate tag: what a German buyer would read in English."""
    found, inside, in_body_class = [], 0, False
    parts = TOKEN.split(source)
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            if OPENS.match(part.lower()):
                inside += 1
            elif CLOSES.match(part.lower()):
                inside -= 1
            if part.startswith("{% block "):
                in_body_class = "body_class" in part
            elif part.startswith("{% endblock"):
                in_body_class = False
            if part.startswith("<") and not inside:
                # Labels are read with the template tags in them left out: a translated
                # label is then empty, "Pay {{ number }}" is "Pay ".
                found += [
                    label.strip()
                    for label in LABEL.findall(TAGS.sub("", part))
                    if re.search(r"[A-Za-z]{2}", label)
                ]
        elif not inside and not in_body_class and re.search(r"[A-Za-z]{2}", part):
            found.append(part.strip())
    return found


def test_the_scanner_finds_english_outside_translate():
    template = (
        '{% block body_class %}cart{% endblock %}<h1>{% translate "Cart" %}</h1>'
        '<p aria-label="Pay {{ number }}">Order {{ number }}</p>{# note #}'
        '<a title="{% blocktranslate with n=number %}Pay {{ n }}{% endblocktranslate %}"></a>'
        "{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}<script>var a;</script>"
    )
    assert english_outside_translate(template) == ["Pay", "Order"]


def test_storefront_templates_have_no_hard_coded_english():
    templates = storefront_templates()
    assert len(templates) > 50
    english = {
        str(path.relative_to(PACKAGE)): found
        for path in templates
        if (found := english_outside_translate(path.read_text()))
    }
    assert english == {}


# ------------------------------------------------------------------ the pages
# Words of our English text that German never uses; any of them on a German page is a string
# that escaped the catalogue.
ENGLISH = re.compile(
    r"\b(?:Sign in|Sign out|Orders?|Invoices?|Cart|Catalog|Account|Lists?|Welcome|Recent|"
    r"Placed|Received|Confirmed|Processing|Cancelled|Total|Credit|Password|Request|Saved|"
    r"Quick order|Page not found|Back to|Lines|your|Your|the|and|with|yet|no longer|Unit)\b"
)
SKIP = re.compile(r"<(script|style)\b.*?</\1>", re.S)


def visible_text(body: str) -> str:
    """What a reader (or a screen reader) gets: the text and the labelling attributes."""
    body = SKIP.sub(" ", body)
    labels = " ".join(LABEL.findall(body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + labels)


@pytest.fixture
def acme(ferrum) -> CompanyWorld:
    return make_company("C-ACME", "Acme Machining", 501, [ferrum.store])


@pytest.mark.django_db
def test_the_pages_a_buyer_of_a_german_store_meets_are_german(client, acme, ferrum):
    from storefleet.ordering.models import Order, OrderStatus

    Store.objects.filter(pk=ferrum.store.pk).update(default_language="de")
    store_host_map_invalidate()
    Order.objects.create(
        number="W-DE-1",
        store=ferrum.store,
        company=acme.company,
        placed_by=acme.buyer,
        submit_token="W-DE-1",
        status=OrderStatus.RECEIVED,
        ship_to=acme.ship_to,
        currency="EUR",
        total="12.50",
    )
    anonymous = ["/account/sign-in/", "/account/password/", "/account/request/"]
    signed_in = [
        "/account/",  # the dashboard (no ERP in this test: "can't reach" in German)
        "/orders/",
        "/orders/W-DE-1/",
        "/returns/",
        "/lists/",
        "/account/invoices/",
        "/cart/",
        "/quick-order/",
        f"/account/companies/{acme.company.id}/",
        "/no-such-page/",
    ]
    english: dict[str, list[str]] = {}

    def read(path: str) -> None:
        response = client.get(path, HTTP_HOST=FERRUM_HOST)
        assert response.status_code == (404 if path == "/no-such-page/" else 200), path
        body = response.content.decode()
        assert '<html lang="de">' in body, path
        text = visible_text(body)
        # The company's, store's and user's own names are theirs, not ours to translate.
        for own in ("Ferrum Industrial Components", "Acme Machining", "Ferrum"):
            text = text.replace(own, " ")
        if words := sorted(set(ENGLISH.findall(text))):
            english[path] = words

    for path in anonymous:
        read(path)
    client.force_login(acme.admin)
    for path in signed_in:
        read(path)
    assert english == {}
    dashboard = client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert ">Bestellungen</a>" in dashboard and ">Abmelden</button>" in dashboard
    assert "Eingegangen — wartet auf Bestätigung" in dashboard  # the order's stage


@pytest.mark.django_db
def test_a_german_stores_account_e_mails_are_german(client, acme, ferrum, mailoutbox):
    """The password-reset e-mail (sent on the storefront) and an invitation (sent the same
    way from the storefront or by an agent in the admin) speak the store's language."""
    from storefleet.accounts.models import MemberRole
    from storefleet.accounts.services import invitation_create

    Store.objects.filter(pk=ferrum.store.pk).update(default_language="de")
    store_host_map_invalidate()
    client.post("/account/password/", {"email": acme.buyer.email}, HTTP_HOST=FERRUM_HOST)
    (reset,) = mailoutbox
    assert reset.subject == "Neues Passwort für Ferrum Industrial Components wählen"
    assert "jemand (hoffentlich Sie) hat angefordert" in reset.body
    invitation_create(
        company=acme.company,
        store=Store.objects.get(pk=ferrum.store.pk),
        email="neu@c-acme.example",
        role=MemberRole.BUYER,
        invited_by=acme.admin,
        site_url="http://ferrum.localhost/",
    )
    invitation = mailoutbox[1]
    assert invitation.subject == (
        "Einladung: Einkaufen für Acme Machining bei Ferrum Industrial Components"
    )
    assert "als Einkäufer für Acme Machining einzukaufen" in invitation.body
    assert not ENGLISH.search(invitation.body.replace("Ferrum Industrial Components", ""))
