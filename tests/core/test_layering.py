"""Dependencies point down: the ERP integration and the outbox are used by the apps above them
and never import those apps (the apps register what they own: sync kinds, outbox handlers);
money and the quantity rule import no app at all. Read from the source, every import counted
(top level, inside functions, under TYPE_CHECKING)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import storefleet

ROOT = Path(storefleet.__file__).parent
# The release digest (part of every cached page's key) and the public origin of an address
# are base too: they import no app.
BASE = {
    "storefleet",
    "storefleet.errors",
    "storefleet.money",
    "storefleet.origins",
    "storefleet.quantities",
    "storefleet.release",
}

# What each low layer may import from the platform, besides itself and BASE.
ALLOWED: dict[str, set[str]] = {
    "storefleet.money": set(),
    "storefleet.quantities": set(),
    "storefleet.errors": set(),
    "storefleet.release": set(),
    "storefleet.origins": set(),
    "storefleet.erp": set(),
    "storefleet.outbox": {"storefleet.erp"},
}
# The brand app is the storefront's shell (theme, pages, page caches, sitemaps): the apps
# selling things build on it and register with it what its pages show of theirs (a buyer's
# persona: ``brand.buyer_persona``; the products of a sitemap: ``brand.seo``). It reads the
# stores it serves (tenants) and nothing else of the platform, by import or by name.
BRAND_MAY_IMPORT = BASE | {"storefleet.brand", "storefleet.tenants"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str) -> Iterator[tuple[str, Path]]:
    folder = ROOT.parent.joinpath(*package.split("."))
    paths = [folder.with_suffix(".py")] if folder.with_suffix(".py").exists() else []
    paths += sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)
    for path in paths:
        yield module_name(path), path


def imports(name: str, path: Path) -> Iterator[tuple[str, str]]:
    """(module imported, name imported or "") for every import in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                yield base, alias.name


def top_package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def platform_imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for name, path in modules(package):
        for module, _item in imports(name, path):
            if module.startswith("storefleet"):
                found.add((name, top_package(module) if module != "storefleet" else module))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_low_layers_import_nothing_above_them(package):
    assert list(modules(package)), f"no module of {package} was read"
    found = platform_imports(package)
    allowed = {package} | BASE | ALLOWED[package]
    upward = sorted((who, what) for who, what in found if what not in allowed)
    assert upward == []


def test_brand_imports_no_app_above_it():
    found = platform_imports("storefleet.brand")
    assert ("storefleet.brand.buyer_cache", "storefleet.brand") in found  # the walk saw imports
    upward = sorted((who, what) for who, what in found if what not in BRAND_MAY_IMPORT)
    assert upward == []


def test_brand_names_no_app_above_it():
    """Nor through a dotted path in a string (``import_module``, ``apps.get_model``'s label
    aside, a setting): the apps register with brand instead."""
    named = sorted(
        (name, node.value)
        for name, path in modules("storefleet.brand")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("storefleet.")
        and top_package(node.value.split()[0]) not in BRAND_MAY_IMPORT
    )
    assert named == []


TAG = re.compile(r"{%\s*(load|include|extends)\s+(.*?)\s*%}", re.DOTALL)


def template_dependencies(app: str) -> set[tuple[str, str]]:
    """(template, package) for what the app's templates load (a tag library: the package of
    its module) and include or extend (a template: the package of the folder it is found in),
    as Django's engine resolves them."""
    from django.template import engines

    engine = engines["django"].engine  # type: ignore[attr-defined]
    folder = ROOT / app / "templates"
    found = set()
    for path in sorted(folder.rglob("*.html")):
        name = str(path.relative_to(folder))
        for tag, argument in TAG.findall(path.read_text()):
            if tag == "load":
                words = argument.split()
                libraries = words[words.index("from") + 1 :] if "from" in words else words
                for library in libraries:
                    found.add((name, top_package(engine.libraries[library])))
            elif argument[:1] in "\"'":  # a literal name, not a variable
                origin = Path(engine.get_template(argument.split()[0][1:-1]).origin.name)
                if not origin.is_relative_to(ROOT):  # Wagtail's, Django's
                    found.add((name, str(origin)))
                    continue
                owner = origin.relative_to(ROOT).parts[0]
                found.add((name, f"storefleet.{owner}" if owner != "templates" else "storefleet"))
    return found


def test_brand_templates_load_and_include_nothing_above_brand():
    """Templates are dependencies too: ``{% load account_tags %}`` or an include of another
    app's template in the storefront's shell would make brand need that app. The apps register
    what the shell shows of theirs with ``brand.shell`` instead."""
    found = template_dependencies("brand")
    assert ("brand/base.html", "storefleet.brand") in found  # brand_tags seen
    assert ("brand/home_page.html", "storefleet.brand") in found  # its extends seen
    upward = sorted(
        (template, package)
        for template, package in found
        if package.startswith("storefleet") and package not in BRAND_MAY_IMPORT
    )
    assert upward == []


def test_the_apps_register_what_brand_shows_of_theirs():
    """What the buyers' page cache and the sitemap read of the apps above brand, registered in
    those apps' ``AppConfig.ready``."""
    from storefleet.brand import buyer_persona, seo, shell
    from storefleet.catalog.selectors import schema_availability, sitemap_products

    assert len(buyer_persona._buyer_of) == 1
    assert sorted(buyer_persona._parts) == ["cart_size", "lists"]
    assert seo._products_of == [sitemap_products]
    assert seo._availability_of == [schema_availability]
    assert {place: sorted(parts) for place, parts in shell._parts.items()} == {
        "top": ["service"],
        "below_header": ["accounts"],
    }
    assert sorted(shell._addresses) == ["contact_sales"]
    assert sorted(shell._taken) == ["accounts"]


def test_money_and_quantities_come_from_their_own_module():
    stale = sorted(
        name
        for package in ("storefleet",)
        for name, path in modules(package)
        for module, item in imports(name, path)
        if module == "storefleet.erp.types" and item in {"Money", "Quantity"}
    )
    assert stale == []


def test_shipment_states_are_spelled_only_where_the_state_machine_lives():
    spelled = sorted(
        name
        for name, path in modules("storefleet")
        if not name.startswith("storefleet.erp")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value == "partially shipped"
    )
    assert spelled == []
    templates = [
        path.relative_to(ROOT)
        for path in ROOT.rglob("*.html")
        if "partially shipped" in path.read_text()
    ]
    assert templates == []


def test_the_principal_sits_below_the_apps_that_take_it():
    """Every face builds a Principal and every service takes one: its module reads nothing of
    the apps above accounts and tenants but the order scope and the placer it hands out."""
    path = ROOT / "accounts" / "principal.py"
    found = {
        module
        for module, _item in imports("storefleet.accounts.principal", path)
        if module.startswith("storefleet.")
    }
    allowed = {"storefleet.ordering.scope", "storefleet.ordering.checkout"}
    above = {
        m for m in found if top_package(m) not in {"storefleet.accounts", "storefleet.tenants"}
    }
    assert above == allowed


def test_tenants_know_nothing_of_the_apps_that_serve_a_store():
    """A store's launch sits above tenants and service (``provisioning.stores``), and the demo
    commands with the pipeline they drive: tenants reads only the storefront's shell."""
    found = {what for _who, what in platform_imports("storefleet.tenants")}
    assert found - BASE == {"storefleet.tenants", "storefleet.brand"}


# Ordering's writes by capability: the cart below checkout, the submission on its own (the
# outbox calls it with a message, never a cart or a request).
ORDERING_WRITES_MAY_NOT_IMPORT = {
    "storefleet.ordering.cart": {"storefleet.ordering.checkout", "storefleet.ordering.submission"},
    "storefleet.ordering.checkout": {"storefleet.ordering.submission"},
    "storefleet.ordering.submission": {"storefleet.ordering.cart", "storefleet.ordering.checkout"},
}


def test_ordering_writes_import_in_one_direction():
    found = {
        # ``from storefleet.ordering import cart`` names the module in the item
        (name, f"{module}.{item}" if module == "storefleet.ordering" else module)
        for name, path in modules("storefleet")
        for module, item in imports(name, path)
        if module.startswith("storefleet.ordering")
    }
    wrong = sorted(
        (name, module)
        for name, module in found
        if module in ORDERING_WRITES_MAY_NOT_IMPORT.get(name, ())
    )
    assert wrong == []
