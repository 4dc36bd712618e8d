"""Reading ``brands/<slug>/``: the store file, theme tokens and seed content, checked and turned
into frozen dataclasses. Nothing here writes; every problem found is reported at once.

A store folder may be edited by hand (and reconciled), so everything in it is data from an
unknown hand: TOML with ``tomllib``, YAML with ``yaml.safe_load`` (no Python objects), nothing
rendered as a template, every value checked for its type and, where the wizard asks for the same
thing, against the wizard's own rule (``answers.answer_problem``). A file that is too large, not
UTF-8 or not valid TOML/YAML is a problem named by its file, never an exception."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from storefleet.brand.colours import HEX_COLOUR, theme_contrast_failures
from storefleet.brand.models import CornerStyle, FontStack
from storefleet.brand.seeding import (
    ContactSpec,
    MediaSpec,
    PageSpec,
    SeedContent,
    StorySpec,
    ThemeSpec,
)
from storefleet.errors import ApplicationError
from storefleet.tenants.models import StoreStatus
from storefleet.tenants.services import StoreSpec

# SLUG and HOST_LABEL are matched with fullmatch: "$" would let a trailing newline through.
from .answers import EMAIL, HOST_LABEL, SLUG, answer_problem
from .site_templates import TEMPLATE_NAME, templates_dir

__all__ = [
    "SLUG",
    "BrandFolder",
    "CustomersServed",
    "ErpMapping",
    "People",
    "StoreFileError",
    "brand_folder_load",
    "brands_dir",
    "templates_dir",
]

DRIVERS = ("local", "pulumi")
MAX_FILE_BYTES = 1_000_000
MAX_PEOPLE = 50
CUSTOMER_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
COUNTRY = re.compile(r"[A-Z]{2}")
PRICE_LIST = re.compile(r"[^\x00-\x1f\x7f]{1,80}")
TEMPLATE_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]{0,39}")
# store.toml keys checked by the wizard's rule for the same answer (``answers.RULES``).
_ANSWER_RULES = {
    ("store", "name"): "brand_name",
    ("store", "brand"): "brand_name",
    ("store", "region"): "region",
    ("erp", "warehouse"): "erp_warehouse",
    ("erp", "price_list"): "erp_price_list",
    ("contact", "legal_name"): "legal_name",
    ("contact", "phone"): "phone",
    ("contact", "email"): "email",
    ("contact", "vat_id"): "vat_id",
    ("contact", "registration"): "registration",
}


@dataclass(frozen=True)
class ErpMapping:
    warehouse: str
    price_list: str
    assortment: tuple[str, ...]
    sample_skus: tuple[str, ...]


@dataclass(frozen=True)
class CustomersServed:
    """Which of the ERP's customers may buy in the store: those named by code, and those
    matching a rule the ERP knows (an address in one of ``countries``, or buying from one of
    ``price_lists``). ``declared`` is False when the store file has no ``[customers]`` table:
    then the pipeline leaves the store's companies as they are."""

    declared: bool = False
    codes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    price_lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class People:
    """Who is invited by e-mail to work on the store: its editors (the brand's marketing team,
    in the store's editors group) and its customer-service agents (the store's service team)."""

    editors: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()


@dataclass(frozen=True)
class BrandFolder:
    """Everything ``brands/<slug>/`` declares about one store."""

    path: Path
    template: str
    store: StoreSpec
    languages: tuple[str, ...]
    erp: ErpMapping
    contact: ContactSpec
    driver: str
    theme: ThemeSpec
    content: SeedContent
    customers: CustomersServed = CustomersServed()
    people: People = People()
    # (language, host) of each language served on a host of its own ([store.hosts]).
    hosts: tuple[tuple[str, str], ...] = ()


class StoreFileError(ApplicationError):
    """The folder cannot be read as a store; ``problems`` lists every reason."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        super().__init__(
            f"{folder}: " + "; ".join(problems), field="store_file", code="invalid_store_file"
        )
        self.problems = tuple(problems)


def brands_dir() -> Path:
    """Where stores are declared (``STOREFLEET_BRANDS_DIR``; the repository's ``brands/``)."""
    return Path(settings.STOREFLEET_BRANDS_DIR)


def _table(data: Mapping[str, Any], name: str, problems: list[str]) -> Mapping[str, Any]:
    value = data.get(name)
    if not isinstance(value, Mapping):
        problems.append(f"store.toml: the [{name}] table is missing")
        return {}
    return value


def _text(
    table: Mapping[str, Any], key: str, where: str, problems: list[str], *, required=True
) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{where}: '{key}' must be a non-empty text")
        return ""
    return value


def _texts(table: Mapping[str, Any], key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
        problems.append(f"{where}: '{key}' must be a non-empty list of texts")
        return ()
    return tuple(value)


def _mapping(value: Any, where: str, problems: list[str]) -> Mapping[str, Any]:
    """``value`` when it is a table/mapping (or absent); otherwise a problem and ``{}``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"{where} must be a table of keys and values")
        return {}
    return value


def _items(value: Any, where: str, problems: list[str]) -> tuple[Any, ...]:
    """``value`` when it is a list (or absent); otherwise a problem and ``()``."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where} must be a list")
        return ()
    return tuple(value)


def _listed(
    table: Mapping[str, Any],
    key: str,
    where: str,
    problems: list[str],
    *,
    pattern: re.Pattern[str],
    what: str,
    limit: int,
) -> tuple[str, ...]:
    """An optional list of texts each matching ``pattern`` (``what`` names the bad ones)."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        problems.append(f"{where}: '{key}' must be a list of texts")
        return ()
    if len(value) > limit:
        problems.append(f"{where}: '{key}' lists {len(value)} entries; at most {limit}")
        return ()
    bad = [x for x in value if not pattern.fullmatch(x)]
    if bad:
        shown = ", ".join(repr(x[:60]) for x in bad[:5])
        problems.append(f"{where}: {shown} {'is' if len(bad) == 1 else 'are'} not {what}")
        return ()
    return tuple(dict.fromkeys(value))  # in order, each once


def _customers(data: Mapping[str, Any], problems: list[str]) -> CustomersServed:
    if "customers" not in data:
        return CustomersServed()
    table = _mapping(data["customers"], "store.toml: [customers]", problems)
    where = "store.toml [customers]"
    unknown = sorted(set(table) - {"codes", "countries", "price_lists"})
    if unknown:
        problems.append(
            f"{where}: unknown key {', '.join(unknown)}; use codes, countries or price_lists"
        )
    return CustomersServed(
        declared=True,
        codes=_listed(
            table,
            "codes",
            where,
            problems,
            pattern=CUSTOMER_CODE,
            what="ERP customer codes",
            limit=1000,
        ),
        countries=_listed(
            table,
            "countries",
            where,
            problems,
            pattern=COUNTRY,
            what="ISO 3166 country codes (two capitals, e.g. US)",
            limit=250,
        ),
        price_lists=_listed(
            table,
            "price_lists",
            where,
            problems,
            pattern=PRICE_LIST,
            what="ERP price list names",
            limit=100,
        ),
    )


def _people(data: Mapping[str, Any], problems: list[str]) -> People:
    table = _mapping(data.get("people"), "store.toml: [people]", problems)
    where = "store.toml [people]"
    unknown = sorted(set(table) - {"editors", "agents"})
    if unknown:
        problems.append(f"{where}: unknown key {', '.join(unknown)}; use editors or agents")
    found = {
        key: _listed(
            table,
            key,
            where,
            problems,
            pattern=EMAIL,
            what="e-mail addresses (name@example.com)",
            limit=MAX_PEOPLE,
        )
        for key in ("editors", "agents")
    }
    # Addresses are compared as the platform stores them: case does not make another person.
    return People(
        editors=tuple(dict.fromkeys(x.lower() for x in found["editors"])),
        agents=tuple(dict.fromkeys(x.lower() for x in found["agents"])),
    )


def _hosts(
    store: Mapping[str, Any], *, hostname: str, languages: tuple[str, ...], problems: list[str]
) -> tuple[tuple[str, str], ...]:
    """``[store.hosts]``: a language of the store on a host of its own, checked as the store's
    hostname is (the wizard's rule: a valid host name, not one of the platform's)."""
    table = _mapping(store.get("hosts"), "store.toml: [store.hosts]", problems)
    where = "store.toml [store.hosts]"
    default = languages[0] if languages else ""
    found: dict[str, str] = {}
    for language, value in table.items():
        if not isinstance(value, str) or not value.strip():
            problems.append(
                f"{where}: {str(language)[:20]} must be a host name in quotes, e.g. "
                f'{str(language)[:20]} = "shop.{str(language)[:20]}.example"'
            )
            continue
        host = value.strip()
        if language == default:
            problems.append(
                f"{where}: '{language}' is the store's default language, served unprefixed on "
                f"its hostname ({hostname}); remove it from [store.hosts], or change hostname"
            )
            continue
        if language not in languages:
            problems.append(
                f"{where}: '{str(language)[:20]}' is not one of the store's languages "
                f"({', '.join(languages)}); add it to languages, or remove its host"
            )
            continue
        problem = answer_problem("hostname", host)
        if problem is not None:
            problems.append(f"{where} {language}: " + problem.message.split(": ", 1)[1])
            continue
        if host == hostname:
            problems.append(
                f"{where}: '{language}' is given the store's own hostname {host}; give it a "
                "host of its own, or remove it to serve it under /{language}/".replace(
                    "{language}", language
                )
            )
            continue
        if host in found.values():
            other = next(code for code, taken in found.items() if taken == host)
            problems.append(
                f"{where}: '{language}' and '{other}' have the same host {host}; give each "
                "language its own"
            )
            continue
        found[language] = host
    return tuple(sorted(found.items()))


def _page(data: Any, problems: list[str], depth: int = 0) -> PageSpec | None:
    if not isinstance(data, Mapping) or not all(
        k in data for k in ("key", "type", "title", "slug")
    ):
        problems.append("content.yaml: every page needs key, type, title and slug")
        return None
    if depth > 5:
        problems.append(f"content.yaml: page '{data['key']}' is nested deeper than 6 levels")
        return None
    where = f"content.yaml: page '{data['key']}'"
    children = tuple(
        p
        for p in (
            _page(c, problems, depth + 1)
            for c in _items(data.get("children"), f"{where}: children", problems)
        )
        if p
    )
    return PageSpec(
        key=str(data["key"]),
        type=str(data["type"]),
        title=str(data["title"]),
        slug=str(data["slug"]),
        intro=str(data.get("intro") or ""),
        body=_items(data.get("body"), f"{where}: body", problems),
        children=children,
        stories=_stories(data, problems),
    )


def _stories(page: Mapping[str, Any], problems: list[str]) -> tuple[StorySpec, ...]:
    items = _items(page.get("stories"), f"content.yaml: page '{page['key']}': stories", problems)
    if items and page["type"] != "catalog":
        problems.append(f"content.yaml: page '{page['key']}': only a catalog page has stories")
        return ()
    stories = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("sku") or not item.get("body"):
            problems.append(f"content.yaml: page '{page['key']}': every story needs sku and body")
            continue
        body = _items(item["body"], f"content.yaml: story '{item['sku']}': body", problems)
        stories.append(StorySpec(sku=str(item["sku"]), body=body))
    skus = [story.sku for story in stories]
    if len(set(skus)) != len(skus):
        problems.append(f"content.yaml: page '{page['key']}': one story per SKU")
    return tuple(stories)


def _content(data: Any, problems: list[str]) -> SeedContent:
    if not isinstance(data, Mapping):
        problems.append("content.yaml: expected a mapping with media, home, pages, navigation")
        data = {}
    media = []
    for item in _items(data.get("media"), "content.yaml: media", problems):
        if not isinstance(item, Mapping) or not {"key", "kind", "title"} <= set(item):
            problems.append("content.yaml: every media item needs key, kind and title")
            continue
        if not isinstance(item["kind"], str) or item["kind"] not in (
            "logo",
            "hero",
            "product",
            "document",
        ):
            problems.append(
                f"content.yaml: media '{item['key']}' has unknown kind '{item['kind']}'"
            )
        media.append(
            MediaSpec(
                key=str(item["key"]),
                kind=str(item["kind"]),
                title=str(item["title"]),
                shape=str(item.get("shape", "bolt")),
                lines=tuple(
                    str(x)
                    for x in _items(
                        item.get("lines"), f"content.yaml: media '{item['key']}': lines", problems
                    )
                ),
            )
        )
    pages = tuple(
        p
        for p in (
            _page(p, problems) for p in _items(data.get("pages"), "content.yaml: pages", problems)
        )
        if p
    )
    home = _mapping(data.get("home"), "content.yaml: home", problems)
    settings_data = _mapping(data.get("settings"), "content.yaml: settings", problems)
    navigation = _mapping(data.get("navigation"), "content.yaml: navigation", problems)
    return SeedContent(
        media=tuple(media),
        home_intro=str(home.get("intro") or ""),
        home_body=_items(home.get("body"), "content.yaml: home: body", problems),
        pages=pages,
        tagline=str(settings_data.get("tagline") or ""),
        logo=settings_data.get("logo"),
        favicon=settings_data.get("favicon"),
        primary_links=_items(
            navigation.get("primary"), "content.yaml: navigation.primary", problems
        ),
        footer_columns=_items(
            navigation.get("footer_columns"), "content.yaml: navigation.footer_columns", problems
        ),
        footer_note=str(navigation.get("footer_note") or ""),
    )


def _theme(data: Mapping[str, Any], problems: list[str]) -> ThemeSpec:
    colours = _mapping(data.get("colours"), "theme.toml: [colours]", problems)
    for name in ("primary", "accent", "dark", "light"):
        colour = colours.get(name, "")
        if not isinstance(colour, str) or not HEX_COLOUR.fullmatch(colour):
            problems.append(f"theme.toml: colours.{name} '{colour}' is not #RRGGBB")
    # The same pairs as the brand settings form checks: every pair the storefront draws.
    for failure in theme_contrast_failures(
        **{name: str(colours.get(name, "")) for name in ("primary", "accent", "dark", "light")}
    ):
        problems.append(f"theme.toml: colours.{failure.colour}: {failure.message}")
    fonts = _mapping(data.get("fonts"), "theme.toml: [fonts]", problems)
    for name in ("heading", "body"):
        if not isinstance(fonts.get(name), str) or fonts.get(name) not in FontStack.values:
            problems.append(
                f"theme.toml: fonts.{name} must be one of {', '.join(FontStack.values)}"
            )
    shape = _mapping(data.get("shape"), "theme.toml: [shape]", problems)
    if not isinstance(shape.get("corners"), str) or shape.get("corners") not in CornerStyle.values:
        problems.append("theme.toml: shape.corners must be square or rounded")
    logo = _mapping(data.get("logo"), "theme.toml: [logo]", problems)
    hero = _mapping(data.get("hero"), "theme.toml: [hero]", problems)
    return ThemeSpec(
        primary=str(colours.get("primary", "")).upper(),
        accent=str(colours.get("accent", "")).upper(),
        dark=str(colours.get("dark", "")).upper(),
        light=str(colours.get("light", "")).upper(),
        heading_font=str(fonts.get("heading", "")),
        body_font=str(fonts.get("body", "")),
        corners=str(shape.get("corners", "")),
        logo_text=str(logo.get("text", "")),
        logo_mark=str(logo.get("mark", "hex")),
        hero_motif=str(hero.get("motif", "gears")),
    )


def _load(path: Path, name: str, problems: list[str]) -> Any:
    file = path / name
    if not file.is_file():
        problems.append(f"{name} is missing")
        return {}
    if file.stat().st_size > MAX_FILE_BYTES:
        problems.append(
            f"{name} is larger than {MAX_FILE_BYTES // 1_000_000} MB; a store file is small"
        )
        return {}
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(
            f"{name} is not UTF-8 text (byte {error.start}); save it with the UTF-8 encoding"
        )
        return {}
    try:
        if name.endswith(".toml"):
            return tomllib.loads(text)
        # safe_load: plain data only, never a tag that builds a Python object.
        return yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        problems.append(" ".join(f"{name} cannot be read: {error}".split())[:300])
        return {}
    except RecursionError:
        problems.append(f"{name} cannot be read: it is nested too deeply")
        return {}


def brand_folder_load(path: Path) -> BrandFolder:
    """Read and check ``path``; raises :class:`StoreFileError` listing every problem."""
    try:
        is_folder = path.is_dir()
    except (OSError, ValueError):  # e.g. a name longer than the file system allows
        is_folder = False
    if not is_folder:
        raise StoreFileError(path, ["no such brand folder"])
    problems: list[str] = []
    data = _load(path, "store.toml", problems)
    theme_data = _load(path, "theme.toml", problems)
    content_data = _load(path, "content.yaml", problems)
    if problems:
        raise StoreFileError(path, problems)

    store = _table(data, "store", problems)
    erp = _table(data, "erp", problems)
    contact = _table(data, "contact", problems)
    infra = _table(data, "infrastructure", problems)
    slug = _text(store, "slug", "store.toml [store]", problems)
    if slug and not SLUG.fullmatch(slug):
        problems.append(f"store.toml: slug '{slug}' must be lower-case letters, digits, hyphens")
    if slug and slug != path.name:
        problems.append(f"store.toml: slug '{slug}' differs from the folder name '{path.name}'")
    hostname = _text(store, "hostname", "store.toml [store]", problems)
    labels = hostname.split(".")
    if hostname and not (
        len(hostname) <= 253
        and len(labels) >= 2
        and all(HOST_LABEL.fullmatch(x) for x in labels)
        and not labels[-1].isdigit()
    ):
        problems.append(f"store.toml: hostname '{hostname}' is not a valid lower-case host name")
    languages = _texts(store, "languages", "store.toml [store]", problems)
    known_languages = {code for code, _name in settings.LANGUAGES}
    for code in languages:
        if code not in known_languages:
            problems.append(
                f"store.toml: language '{code}' is not one of {', '.join(sorted(known_languages))}"
            )
    currency = _text(store, "currency", "store.toml [store]", problems)
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        problems.append(f"store.toml: currency '{currency}' is not an ISO 4217 code")
    country = _text(store, "country", "store.toml [store]", problems)
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        problems.append(f"store.toml: country '{country}' is not an ISO 3166 code")
    for (table_name, key), rule in _ANSWER_RULES.items():
        value = {"store": store, "erp": erp, "contact": contact}[table_name].get(key)
        if isinstance(value, str) and value:
            found = answer_problem(rule, value)
            if found:
                problems.append(
                    f"store.toml [{table_name}] {key}: " + found.message.split(": ", 1)[1]
                )
    driver = str(infra.get("driver", ""))
    if infra and driver not in DRIVERS:
        problems.append(f"store.toml: infrastructure driver '{driver}' is not one of {DRIVERS}")
    template = str(data.get("template", ""))
    template_version = data.get("template_version", "")
    if not isinstance(template_version, str) or not TEMPLATE_VERSION.fullmatch(
        template_version or "0"
    ):
        problems.append(
            "store.toml: template_version must be a version text (letters, digits, dots, "
            "hyphens; at most 40), as the template's _template_version"
        )
        template_version = ""
    if (
        not TEMPLATE_NAME.fullmatch(template)
        or not (templates_dir() / template / "cookiecutter.json").is_file()
    ):
        problems.append(f"store.toml: template '{template}' is not in {templates_dir()}")
    spec = StoreSpec(
        slug=slug,
        name=_text(store, "name", "store.toml [store]", problems),
        brand=_text(store, "brand", "store.toml [store]", problems),
        region=_text(store, "region", "store.toml [store]", problems),
        hostname=hostname.lower(),
        currency=currency,
        country=country,
        default_language=languages[0] if languages else "en",
        languages=languages,
        status=StoreStatus.DRAFT,
        erp_warehouse=str(erp.get("warehouse", "")),
        erp_price_list=str(erp.get("price_list", "")),
        template=template if TEMPLATE_NAME.fullmatch(template) else "",
        template_version=template_version,
    )
    mapping = ErpMapping(
        warehouse=_text(erp, "warehouse", "store.toml [erp]", problems),
        price_list=_text(erp, "price_list", "store.toml [erp]", problems),
        assortment=_texts(erp, "assortment", "store.toml [erp]", problems),
        sample_skus=_texts(erp, "sample_skus", "store.toml [erp]", problems),
    )
    address = contact.get("address", [])
    if not isinstance(address, list | str) or (
        isinstance(address, list) and not all(isinstance(line, str) for line in address)
    ):
        problems.append("store.toml [contact]: 'address' must be a list of texts (its lines)")
        address = []
    contact_spec = ContactSpec(
        legal_name=_text(contact, "legal_name", "store.toml [contact]", problems),
        address=tuple(address) if isinstance(address, list) else (address,),
        phone=str(contact.get("phone", "")),
        email=str(contact.get("email", "")),
        vat_id=str(contact.get("vat_id", "")),
        registration=str(contact.get("registration", "")),
    )
    theme = _theme(theme_data, problems)
    content = _content(content_data, problems)
    customers = _customers(data, problems)
    people = _people(data, problems)
    hosts = _hosts(store, hostname=hostname.lower(), languages=languages, problems=problems)
    if problems:
        raise StoreFileError(path, problems)
    return BrandFolder(
        path=path,
        template=template,
        store=spec,
        languages=languages,
        erp=mapping,
        contact=contact_spec,
        driver=driver,
        theme=theme,
        content=content,
        customers=customers,
        people=people,
        hosts=hosts,
    )
