"""Headless Chromium through Playwright, against pytest-django's live server.

Chromium is Debian's (/usr/bin/chromium, or STOREFLEET_CHROMIUM); Playwright never downloads
a browser here. If Chromium is missing these tests fail, they are never skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("STOREFLEET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(
    os.environ.get("STOREFLEET_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or set STOREFLEET_CHROMIUM to a Chromium binary."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _public_port_is_the_live_servers(request, settings):  # type: ignore[no-untyped-def]
    """The platform is reached on the live server's port: every address it writes without a
    request (payment returns, the console's hand-over to the storefront, e-mails) and the
    stores' Sites, created after this, carry it — as ``make demo`` does with its PORT."""
    if "live_server" in request.fixturenames:
        live_server = request.getfixturevalue("live_server")
        settings.STOREFLEET_PUBLIC_PORT = urlsplit(live_server.url).port


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def media_on_disk(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Images must be fetchable by the browser: store media on disk for this test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path
