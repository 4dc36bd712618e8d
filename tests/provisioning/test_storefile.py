"""Reading a hand-edited brand folder: its values are data (nothing renders them), and a file
that is broken, too large, not UTF-8 or of the wrong shape is a problem named by its file and
key, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.storefile import StoreFileError, brand_folder_load

pytestmark = pytest.mark.django_db


def edit(folder: Path, name: str, old: str, new: str) -> None:
    file = folder / name
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new))


def problems(folder: Path) -> tuple[str, ...]:
    with pytest.raises(StoreFileError) as error:
        brand_folder_load(folder)
    return error.value.problems


def test_template_syntax_in_the_store_file_is_read_as_text(render_brand):
    folder = render_brand()
    edit(folder, "store.toml", 'name = "Nordlicht Antriebe"', 'name = "{{ 7*7 }}"')
    edit(folder, "content.yaml", "title: Imprint", "title: '{{ 7*7 }}{% raw %}'")

    loaded = brand_folder_load(folder)
    plan = plan_launch(path=folder, check_erp=False)

    assert loaded.store.name == "{{ 7*7 }}"
    assert [p.title for p in loaded.content.pages][-1] == "{{ 7*7 }}{% raw %}"
    assert plan.changes[0].detail == "{{ 7*7 }} (Europe, EUR)"


def test_a_yaml_tag_that_would_build_a_python_object_is_refused(render_brand, tmp_path):
    folder = render_brand()
    marker = tmp_path / "ran"
    (folder / "content.yaml").write_text(
        f"home: !!python/object/apply:os.system ['touch {marker}']\n"
    )

    found = problems(folder)

    assert len(found) == 1
    assert found[0].startswith("content.yaml cannot be read: could not determine a constructor")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("store.toml", b"\xff\xfe[store]\n", "store.toml is not UTF-8 text (byte 0)"),
        ("store.toml", b"[store\n", "store.toml cannot be read: "),
        ("theme.toml", b"x = " + b"[" * 5000, "theme.toml cannot be read: "),
        ("content.yaml", b"a: [" * 2000, "content.yaml cannot be read: "),
        ("content.yaml", b"x" * 1_000_001, "content.yaml is larger than 1 MB"),
        ("content.yaml", b"home: [1, 2]\n", "content.yaml: home must be a table"),
        ("content.yaml", b"media: 7\n", "content.yaml: media must be a list"),
        ("content.yaml", b"pages: [{key: a, type: b, title: c, slug: d, body: 3}]\n", "body"),
        ("content.yaml", b"navigation: x\n", "content.yaml: navigation must be a table"),
        ("theme.toml", b'colours = "red"\n', "theme.toml: [colours] must be a table"),
        ("theme.toml", b"[fonts]\nheading = [1]\n", "theme.toml: fonts.heading must be one of"),
    ],
)
def test_a_broken_file_is_a_problem_named_by_its_file(render_brand, name, content, problem):
    folder = render_brand()
    (folder / name).write_bytes(content)

    found = problems(folder)

    assert any(problem in p for p in found), found
    assert all("Traceback" not in p for p in found)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('slug = "nordlicht"', 'slug = "nordlicht\\n"', "store.toml: slug 'nordlicht\n' must be"),
        (
            'hostname = "nordlicht.localhost"',
            'hostname = "nordlicht.localhost\\n"',
            "is not a valid lower-case host name",
        ),
        ('hostname = "nordlicht.localhost"', 'hostname = "10.0.0.1"', "not a valid lower-case"),
        ('region = "Europe"', 'region = "' + "R" * 61 + '"', "store.toml [store] region: at most"),
        (
            'email = "sales@nordlicht.example"',
            'email = "{{ 7*7 }}"',
            "store.toml [contact] email: '{{ 7*7 }}' is not an e-mail address.",
        ),
        ('name = "Nordlicht Antriebe"', 'name = "a\\u0000b"', "[store] name: remove the line"),
        ('template = "b2b-store"', 'template = "../b2b-store"', "template '../b2b-store' is not"),
        ("address = [", "address = [1, ", "'address' must be a list of texts"),
    ],
)
def test_a_hand_edited_value_gets_the_wizards_rule(render_brand, old, new, problem):
    folder = render_brand()
    edit(folder, "store.toml", old, new)

    found = problems(folder)

    assert any(problem in p for p in found), found


def test_a_platform_host_in_the_store_file_is_a_plan_problem(render_brand):
    folder = render_brand(hostname="admin.localhost")

    plan = plan_launch(path=folder, check_erp=False)

    assert plan.problems[0] == (
        "The hostname 'admin.localhost' is reserved for the platform itself (the admin answers "
        "there); give the store its own host name, e.g. <slug>.localhost or shop.<brand>.example."
    )
    assert not plan.ok
