"""The storefront speaks every language it has a catalogue for (German, French, Japanese): every
string of a storefront template and every buyer message of the ordering modules is marked for
translation and translated in the committed catalogue (compiled, nothing fuzzy), and the pages
a buyer of a store in that language walks through show no English of ours.

A string another engineer adds to a storefront template without a translation fails
``test_every_string_of_a_storefront_template_is_translated[<language>]`` (run ``make
messages``, translate the empty and fuzzy entries of each .po, ``make messages`` again to
compile them); English text written into a template without ``{% translate %}`` fails
``test_storefront_templates_have_no_hard_coded_english``."""

from __future__ import annotations

import gettext
import html
import io
import re
from functools import lru_cache
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
LOCALE = PACKAGE / "locale"

# The storefront's languages besides English: each has its catalogue under LOCALE.
LANGUAGES = ("de", "fr", "ja")

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

HOW_TO_TRANSLATE = (
    "run `make messages` (it gathers every marked string into each catalogue), translate the "
    "empty and fuzzy entries of platform/storefleet/locale/{language}/LC_MESSAGES/django.po, "
    "then `make messages` again to compile the .mo"
)


def storefront_templates() -> list[Path]:
    found = [path for d in STOREFRONT_DIRS for path in (PACKAGE / d).rglob("*.html")]
    found += [PACKAGE / f for f in STOREFRONT_FILES]
    return sorted(
        p for p in found if not any(part in str(p) for part in NOT_STOREFRONT) and p.exists()
    )


def catalogue_dir(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES"


@lru_cache(maxsize=8)
def _read_catalogue(language: str) -> Catalog:
    with (catalogue_dir(language) / "django.po").open("rb") as po:
        return read_po(po)


def catalogue(language: str) -> Catalog:
    """The committed catalogue of ``language``; a missing one fails with what to do."""
    if not (catalogue_dir(language) / "django.po").exists():
        pytest.fail(
            f"The storefront has no {language} catalogue "
            f"(platform/storefleet/locale/{language}/LC_MESSAGES/django.po): create it with "
            f"`cd platform/storefleet && django-admin makemessages -l {language} "
            "--no-location`, translate every entry, and compile it with `make messages`."
        )
    return _read_catalogue(language)


def _translated(message) -> bool:  # type: ignore[no-untyped-def]
    string = message.string
    done = bool(string) if isinstance(string, str) else all(string)
    return done and not message.fuzzy


def tr(language: str, msgid: str, context: str | None = None) -> str:
    """``msgid`` in ``language`` as the catalogue has it (singular); fails if it has none."""
    entry = catalogue(language).get(msgid, context=context)
    assert entry is not None and _translated(entry), (
        f"{msgid!r} has no {language} translation: " + HOW_TO_TRANSLATE.format(language=language)
    )
    string = entry.string
    return string if isinstance(string, str) else string[0]


def _report(language: str, missing: list[str]) -> str:
    shown = "\n  ".join(missing[:40]) + ("\n  …" if len(missing) > 40 else "")
    return (
        f"{len(missing)} storefront strings have no {language} translation; "
        + HOW_TO_TRANSLATE.format(language=language)
        + f":\n  {shown}"
    )


# ------------------------------------------------------------------ the catalogues
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_complete_and_compiled(language):
    cat = catalogue(language)
    messages = [m for m in cat if m.id]
    assert len(messages) > 500
    untranslated = [str(m.id) for m in messages if not _translated(m)]
    assert untranslated == [], _report(language, untranslated)
    assert list(cat.obsolete) == [], f"remove the obsolete (#~) entries of the {language} .po"
    # The committed .mo is the .po compiled (compilemessages was run after the last change).
    mo_path = catalogue_dir(language) / "django.mo"
    assert mo_path.exists(), f"compile the {language} catalogue: `make messages`"
    with mo_path.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        m.id
        for m in messages
        if isinstance(m.id, str) and m.context is None and compiled.gettext(m.id) != m.string
    ]
    assert stale == [], f"the {language} .mo is older than its .po: run `make messages`"


def test_every_catalogue_has_the_same_entries_as_the_german_one():
    """One list of strings for every language: a language that lags behind is a page that
    mixes it with English."""
    german = {(m.id, m.context) for m in catalogue("de") if m.id}
    for language in LANGUAGES:
        if not (catalogue_dir(language) / "django.po").exists():
            continue  # test_the_catalogue_is_complete_and_compiled says what to do
        own = {(m.id, m.context) for m in catalogue(language) if m.id}
        assert sorted(map(str, german - own)) == [], _report(
            language, sorted(str(m) for m, _c in german - own)
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_a_storefront_template_is_translated(language):
    cat = catalogue(language)
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
    assert missing == [], _report(language, missing)


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


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_buyers_python_modules_is_translated(language):
    cat = catalogue(language)
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
    assert missing == [], _report(language, missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_order_stage_sentences_are_translated(language):
    """The order page's stage sentences are written in ordering.actions and translated when
    drawn: each must be in ``order_history.STAGE_SENTENCES`` (which puts it in the
    catalogue) and be translated."""
    cat = catalogue(language)
    sentences = {str(s) for s in (*STAGE_SUMMARY.values(), *STAGE_NEXT.values())}
    assert sentences and sentences <= set(STAGE_SENTENCES)
    missing = sorted(s for s in sentences if (e := cat.get(s)) is None or not _translated(e))
    assert missing == [], _report(language, missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cancel_deadline_is_said_in_the_stores_language(language):
    """The one stage sentence with a date in it is translated where it is written."""
    import datetime

    from django.utils import timezone, translation

    from storefleet.dates import format_day_time
    from storefleet.ordering.actions import OrderActions, Stage

    sentence = tr(
        language, "You can still cancel it until our ERP starts processing it (%(until)s)."
    )
    until = datetime.datetime(2026, 12, 5, 21, 30, tzinfo=datetime.UTC)
    confirmed = OrderActions(
        cancel=True, request_return=False, stage=Stage.CONFIRMED, cancel_until=until
    )
    with translation.override(language), timezone.override("Europe/Berlin"):
        deadline = format_day_time(until, zone=True)
        assert confirmed.next_step == sentence % {"until": deadline}
    assert "CET" in deadline and "You can" not in sentence


# ------------------------------------------------------------------ the templates
TOKEN = re.compile(r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]*>)", re.S)
LABEL = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
TAGS = re.compile(r"\{% blocktrans.*?\{% endblocktrans\w* %\}|\{[{%].*?[}%]\}", re.S)
OPENS = re.compile(r"<(?:script|style)\b|\{% (?:comment|blocktranslate|blocktrans)\b")
CLOSES = re.compile(r"</(?:script|style)|\{% (?:endcomment|endblocktranslate|endblocktrans)\b")


def english_outside_translate(source: str) -> list[str]:
    """Text (and labelling attributes) of a template with words in it that is not inside a
    translate or blocktranslate tag: what a French or Japanese buyer would read in English."""
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
    assert english == {}, (
        "write these texts inside {% translate %} or {% blocktranslate %} and translate them "
        f"in every catalogue: {english}"
    )


# ------------------------------------------------------------------ the pages
# Words of our English text that the storefront's languages never use; any of them on such a
# page is a string that escaped the catalogue.
ENGLISH = re.compile(
    r"\b(?:Sign in|Sign out|Orders?|Invoices?|Cart|Catalog|Account|Lists?|Welcome|Recent|"
    r"Placed|Received|Confirmed|Processing|Cancelled|Total|Credit|Password|Request|Saved|"
    r"Quick order|Page not found|Back to|Lines|your|Your|the|and|with|yet|no longer|Unit)\b"
)
# ENGLISH words that are a language's own too ("Total TTC" is French).
OWN_WORDS = {"fr": {"Total"}}
SKIP = re.compile(r"<(script|style)\b.*?</\1>", re.S)


def english_words(language: str, text: str) -> list[str]:
    return sorted(set(ENGLISH.findall(text)) - OWN_WORDS.get(language, set()))


def visible_text(body: str) -> str:
    """What a reader (or a screen reader) gets: the text and the labelling attributes."""
    body = SKIP.sub(" ", body)
    labels = " ".join(LABEL.findall(body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + labels)


# What a translator checked by hand, beside what the catalogue says (a catalogue of English
# copied into msgstr would pass the catalogue's own word).
SAMPLES = {
    "de": {
        "backorder": "Wählen Sie, wie die Positionen geliefert werden sollen",
        "empty": "Ihr Warenkorb ist leer.",
        "orders": ">Bestellungen</a>",
        "sign_out": ">Abmelden</button>",
        "stage": "Eingegangen — wartet auf Bestätigung",
        "reset_subject": "Neues Passwort für Ferrum Industrial Components wählen",
        "reset_body": "jemand (hoffentlich Sie) hat angefordert",
        "invitation_subject": (
            "Einladung: Einkaufen für Acme Machining bei Ferrum Industrial Components"
        ),
        "invitation_body": "als Einkäufer für Acme Machining einzukaufen",
    },
    "fr": {
        "backorder": "Choisissez comment expédier les lignes que nous n\u2019avons pas en stock.",
        "empty": "Votre panier est vide.",
        "orders": ">Commandes</a>",
        "sign_out": ">Se déconnecter</button>",
        "stage": "Reçue — en attente de confirmation",
        "reset_subject": "Choisissez un nouveau mot de passe pour Ferrum Industrial Components",
        "reset_body": "quelqu\u2019un (vous, nous l\u2019espérons) a demandé",
        "invitation_subject": (
            "Invitation à acheter pour Acme Machining sur Ferrum Industrial Components"
        ),
        "invitation_body": "à acheter pour Acme Machining sur Ferrum Industrial Components "
        "avec le rôle «\xa0Acheteur\xa0».",
    },
}


def sample(language: str, key: str) -> str | None:
    return SAMPLES.get(language, {}).get(key)


@pytest.fixture
def acme(ferrum) -> CompanyWorld:
    return make_company("C-ACME", "Acme Machining", 501, [ferrum.store])


def speak(store: Store, language: str) -> None:
    """``store`` switched to ``language`` (Ferrum's demo store is German, its test one English)."""
    Store.objects.filter(pk=store.pk).update(default_language=language)
    store_host_map_invalidate()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_buyers_messages_are_in_the_stores_language(client, acme, ferrum, language):
    """Refusals and confirmations the ordering views flash are in the store's language."""
    choose = tr(language, "Choose how to ship the lines we don't have in stock.")
    empty_cart = tr(language, "Your cart is empty.")
    speak(ferrum.store, language)
    client.force_login(acme.admin)
    refused = html.unescape(
        client.post(
            "/cart/backorder/", {"choice": "maybe"}, HTTP_HOST=FERRUM_HOST, follow=True
        ).content.decode()
    )
    assert choose in refused and "Choose how to ship" not in refused
    empty = html.unescape(
        client.get("/checkout/", HTTP_HOST=FERRUM_HOST, follow=True).content.decode()
    )
    assert empty_cart in empty and "Your cart is empty" not in empty
    for key, page in (("backorder", refused), ("empty", empty)):
        if expected := sample(language, key):
            assert expected in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_a_buyer_meets_are_in_the_stores_language(client, acme, ferrum, language):
    from storefleet.ordering.models import Order, OrderStatus

    orders, sign_out = tr(language, "Orders"), tr(language, "Sign out")
    stage = tr(language, "Received — awaiting confirmation")
    speak(ferrum.store, language)
    Order.objects.create(
        number="W-L10N-1",
        store=ferrum.store,
        company=acme.company,
        placed_by=acme.buyer,
        submit_token="W-L10N-1",
        status=OrderStatus.RECEIVED,
        ship_to=acme.ship_to,
        currency="EUR",
        total="12.50",
    )
    anonymous = ["/account/sign-in/", "/account/password/", "/account/request/"]
    signed_in = [
        "/account/",  # the dashboard (no ERP in this test: "can't reach" in the language)
        "/orders/",
        "/orders/W-L10N-1/",
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
        assert f'<html lang="{language}">' in body, path
        text = visible_text(body)
        # The company's, store's and user's own names are theirs, not ours to translate.
        for own in ("Ferrum Industrial Components", "Acme Machining", "Ferrum"):
            text = text.replace(own, " ")
        if words := english_words(language, text):
            english[path] = words

    for path in anonymous:
        read(path)
    client.force_login(acme.admin)
    for path in signed_in:
        read(path)
    assert english == {}, f"English of ours on {language} pages (page: words): {english}"
    dashboard = html.unescape(client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode())
    assert f">{orders}</a>" in dashboard and f">{sign_out}</button>" in dashboard
    assert stage in dashboard  # the order's stage
    for key in ("orders", "sign_out", "stage"):
        if expected := sample(language, key):
            assert expected in dashboard


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stores_account_e_mails_are_in_its_language(client, acme, ferrum, mailoutbox, language):
    """The password-reset e-mail (sent on the storefront) and an invitation (sent the same
    way from the storefront or by an agent in the admin) speak the store's language."""
    from storefleet.accounts.models import MemberRole
    from storefleet.accounts.services import invitation_create

    store = "Ferrum Industrial Components"
    reset_subject = tr(language, "Choose a new password for %(store)s") % {"store": store}
    reset_body = tr(
        language,
        "someone (we hope you) asked to choose a new password for your account at %(store)s.",
    ) % {"store": store}
    invitation_subject = tr(language, "You are invited to buy for %(company)s at %(store)s") % {
        "company": "Acme Machining",
        "store": store,
    }
    invitation_body = tr(
        language, "%(inviter)s invites you to buy for %(company)s at %(store)s as %(role)s."
    ) % {
        "inviter": acme.admin.email,
        "company": "Acme Machining",
        "store": store,
        "role": tr(language, "Buyer"),
    }
    speak(ferrum.store, language)
    client.post("/account/password/", {"email": acme.buyer.email}, HTTP_HOST=FERRUM_HOST)
    (reset,) = mailoutbox
    assert reset.subject == reset_subject
    assert reset_body in reset.body
    invitation_create(
        company=acme.company,
        store=Store.objects.get(pk=ferrum.store.pk),
        email="neu@c-acme.example",
        role=MemberRole.BUYER,
        invited_by=acme.admin,
        site_url="http://ferrum.localhost/",
    )
    invitation = mailoutbox[1]
    assert invitation.subject == invitation_subject
    assert invitation_body in invitation.body
    assert not english_words(language, invitation.body.replace(store, ""))
    for key, text in (
        ("reset_subject", reset.subject),
        ("reset_body", reset.body),
        ("invitation_subject", invitation.subject),
        ("invitation_body", invitation.body),
    ):
        if expected := sample(language, key):
            assert expected in text
