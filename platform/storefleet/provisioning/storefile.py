"""Reading ``brands/<slug>/``: the store file, theme tokens and seed content, checked and turned
into frozen dataclasses. Nothing here writes; every problem found is reported at once."""

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

SLUG = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
DRIVERS = ("local", "pulumi")


@dataclass(frozen=True)
class ErpMapping:
    warehouse: str
    price_list: str
    assortment: tuple[str, ...]
    sample_skus: tuple[str, ...]


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


def templates_dir() -> Path:
    return Path(settings.STOREFLEET_SITE_TEMPLATES_DIR)


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


def _page(data: Any, problems: list[str]) -> PageSpec | None:
    if not isinstance(data, Mapping) or not all(
        k in data for k in ("key", "type", "title", "slug")
    ):
        problems.append("content.yaml: every page needs key, type, title and slug")
        return None
    children = tuple(p for p in (_page(c, problems) for c in data.get("children") or []) if p)
    return PageSpec(
        key=str(data["key"]),
        type=str(data["type"]),
        title=str(data["title"]),
        slug=str(data["slug"]),
        intro=str(data.get("intro") or ""),
        body=tuple(data.get("body") or ()),
        children=children,
        stories=_stories(data, problems),
    )


def _stories(page: Mapping[str, Any], problems: list[str]) -> tuple[StorySpec, ...]:
    items = page.get("stories") or []
    if items and page["type"] != "catalog":
        problems.append(f"content.yaml: page '{page['key']}': only a catalog page has stories")
        return ()
    stories = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("sku") or not item.get("body"):
            problems.append(f"content.yaml: page '{page['key']}': every story needs sku and body")
            continue
        stories.append(StorySpec(sku=str(item["sku"]), body=tuple(item["body"])))
    skus = [story.sku for story in stories]
    if len(set(skus)) != len(skus):
        problems.append(f"content.yaml: page '{page['key']}': one story per SKU")
    return tuple(stories)


def _content(data: Any, problems: list[str]) -> SeedContent:
    if not isinstance(data, Mapping):
        problems.append("content.yaml: expected a mapping with media, home, pages, navigation")
        data = {}
    media = []
    for item in data.get("media") or []:
        if not isinstance(item, Mapping) or not {"key", "kind", "title"} <= set(item):
            problems.append("content.yaml: every media item needs key, kind and title")
            continue
        if item["kind"] not in ("logo", "hero", "product", "document"):
            problems.append(
                f"content.yaml: media '{item['key']}' has unknown kind '{item['kind']}'"
            )
        media.append(
            MediaSpec(
                key=str(item["key"]),
                kind=str(item["kind"]),
                title=str(item["title"]),
                shape=str(item.get("shape", "bolt")),
                lines=tuple(str(x) for x in item.get("lines") or ()),
            )
        )
    pages = tuple(p for p in (_page(p, problems) for p in data.get("pages") or []) if p)
    home = data.get("home") or {}
    settings_data = data.get("settings") or {}
    navigation = data.get("navigation") or {}
    return SeedContent(
        media=tuple(media),
        home_intro=str(home.get("intro") or ""),
        home_body=tuple(home.get("body") or ()),
        pages=pages,
        tagline=str(settings_data.get("tagline") or ""),
        logo=settings_data.get("logo"),
        favicon=settings_data.get("favicon"),
        primary_links=tuple(navigation.get("primary") or ()),
        footer_columns=tuple(navigation.get("footer_columns") or ()),
        footer_note=str(navigation.get("footer_note") or ""),
    )


def _theme(data: Mapping[str, Any], problems: list[str]) -> ThemeSpec:
    colours = data.get("colours") or {}
    for name in ("primary", "accent", "dark", "light"):
        colour = colours.get(name, "")
        if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
            problems.append(f"theme.toml: colours.{name} '{colour}' is not #RRGGBB")
    # The same pairs as the brand settings form checks: every pair the storefront draws.
    for failure in theme_contrast_failures(
        **{name: str(colours.get(name, "")) for name in ("primary", "accent", "dark", "light")}
    ):
        problems.append(f"theme.toml: colours.{failure.colour}: {failure.message}")
    fonts = data.get("fonts") or {}
    for name in ("heading", "body"):
        if fonts.get(name) not in FontStack.values:
            problems.append(
                f"theme.toml: fonts.{name} must be one of {', '.join(FontStack.values)}"
            )
    shape = data.get("shape") or {}
    if shape.get("corners") not in CornerStyle.values:
        problems.append("theme.toml: shape.corners must be square or rounded")
    logo = data.get("logo") or {}
    hero = data.get("hero") or {}
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
    try:
        if name.endswith(".toml"):
            return tomllib.loads(file.read_text(encoding="utf-8"))
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        problems.append(f"{name} cannot be read: {error}".replace("\n", " "))
        return {}


def brand_folder_load(path: Path) -> BrandFolder:
    """Read and check ``path``; raises :class:`StoreFileError` listing every problem."""
    if not path.is_dir():
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
    if slug and not SLUG.match(slug):
        problems.append(f"store.toml: slug '{slug}' must be lower-case letters, digits, hyphens")
    if slug and slug != path.name:
        problems.append(f"store.toml: slug '{slug}' differs from the folder name '{path.name}'")
    hostname = _text(store, "hostname", "store.toml [store]", problems)
    labels = hostname.split(".")
    if hostname and not (len(labels) >= 2 and all(HOST_LABEL.match(x) for x in labels)):
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
    driver = str(infra.get("driver", ""))
    if infra and driver not in DRIVERS:
        problems.append(f"store.toml: infrastructure driver '{driver}' is not one of {DRIVERS}")
    template = str(data.get("template", ""))
    if not (templates_dir() / template / "cookiecutter.json").is_file():
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
        status=StoreStatus.DRAFT,
        erp_warehouse=str(erp.get("warehouse", "")),
        erp_price_list=str(erp.get("price_list", "")),
    )
    mapping = ErpMapping(
        warehouse=_text(erp, "warehouse", "store.toml [erp]", problems),
        price_list=_text(erp, "price_list", "store.toml [erp]", problems),
        assortment=_texts(erp, "assortment", "store.toml [erp]", problems),
        sample_skus=_texts(erp, "sample_skus", "store.toml [erp]", problems),
    )
    address = contact.get("address", [])
    contact_spec = ContactSpec(
        legal_name=_text(contact, "legal_name", "store.toml [contact]", problems),
        address=tuple(address) if isinstance(address, list) else (str(address),),
        phone=str(contact.get("phone", "")),
        email=str(contact.get("email", "")),
        vat_id=str(contact.get("vat_id", "")),
        registration=str(contact.get("registration", "")),
    )
    theme = _theme(theme_data, problems)
    content = _content(content_data, problems)
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
    )
