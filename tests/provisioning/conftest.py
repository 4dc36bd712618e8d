"""Brand folders for the pipeline tests, rendered from the real site templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.factories import wagtail_roots_ensure

REPO = Path(__file__).parents[2]


@pytest.fixture
def brands_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "brands"
    folder.mkdir()
    settings.STOREFLEET_BRANDS_DIR = folder
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return folder


@pytest.fixture
def render_brand(brands_dir):
    def render(slug: str = "nordlicht", template: str = "b2b-store", **answers: str) -> Path:
        return Path(
            cookiecutter(
                str(REPO / "site_templates" / template),
                no_input=True,
                output_dir=str(brands_dir),
                extra_context={
                    "brand_name": f"{slug.title()} Antriebe",
                    "slug": slug,
                    "hostname": f"{slug}.localhost",
                    **answers,
                },
            )
        )

    return render


@pytest.fixture(scope="module")
def wagtail_roots_restored(django_db_blocker):
    """A transactional test ends with the database flushed, which removes the page tree root and
    the root collection that Wagtail's migrations made; later transactional tests (the browser
    tests) need them, so they are put back as the migrations made them. Module-scoped: its
    teardown must come after the flush of the module's last test."""
    yield
    with django_db_blocker.unblock():
        wagtail_roots_ensure()
