"""A store launched from a site template features products of its own assortment, named as the
ERP names them and pictured with a picture of their own (or none), never "Article <SKU>" or a
picture of another product; the plan refuses a featured SKU the ERP does not know or the store
does not sell, on the wizard's field."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.images import get_image_model

from storefleet.brand.models import HomePage
from storefleet.brand.seeding import MediaSpec, SeedContent
from storefleet.catalog.models import Category, Product
from storefleet.provisioning.featured import FeaturedProduct, featured_fill
from storefleet.provisioning.models import ProvisioningRun
from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.services import store_launch
from storefleet.tenants.models import Store
from tests.catalog.factories import products_make
from tests.erp.conftest import mirror_master_data, point_gateway_at
from tests.provisioning.test_wizard_erp import erp, manager_client, plan_post  # noqa: F401

pytestmark = pytest.mark.django_db


def teaser_cards(slug: str) -> list[dict]:
    store = Store.objects.get(slug=slug)
    home = HomePage.objects.get(pk=store.site.root_page_id)
    blocks = [block for block in home.body if block.block_type == "product_teaser"]
    assert len(blocks) == 1
    return [
        {
            "sku": card["sku"],
            "title": card["title"],
            "image": card["image"].title if card["image"] else None,
        }
        for card in blocks[0].value["products"]
    ]


@pytest.mark.parametrize("template", ["b2b-store", "showcase"])
def test_featured_products_have_their_erp_names_and_their_own_pictures(
    render_brand, settings, erp_server, template
):
    point_gateway_at(settings, erp_server)
    mirror_master_data(erp_server)
    folder = render_brand(
        "nordlicht",
        template=template,
        currency="USD",
        country="US",
        erp_warehouse="WH-US",
        assortment="HYD,PNE,TOL",
        featured_skus="HYD-1007,TOL-1001,PNE-1001,PNE-1002",
    )

    run = store_launch(path=folder, check_erp=True, inline=True)

    assert run.status == "succeeded", run.error
    skus = ["HYD-1007", "TOL-1001", "PNE-1001", "PNE-1002"]
    names = dict(Product.objects.filter(sku__in=skus).values_list("sku", "name"))
    # The reference ERP's names: two cylinders, a wrench and a push-in fitting.
    assert "Cylinder" in names["HYD-1007"] and "Cylinder" in names["PNE-1002"]
    assert "Fitting" in names["PNE-1001"]
    assert teaser_cards("nordlicht") == [
        {"sku": "HYD-1007", "title": names["HYD-1007"], "image": f"{names['HYD-1007']} (HYD-1007)"},
        # No drawing shows a wrench or a fitting: the card's neutral placeholder, never the
        # picture of another product.
        {"sku": "TOL-1001", "title": names["TOL-1001"], "image": None},
        {"sku": "PNE-1001", "title": names["PNE-1001"], "image": None},
        {"sku": "PNE-1002", "title": names["PNE-1002"], "image": f"{names['PNE-1002']} (PNE-1002)"},
    ]
    store = Store.objects.get(slug="nordlicht")
    product_images = get_image_model().objects.filter(
        collection=store.collection, title__contains="-10"
    )
    assert sorted(product_images.values_list("title", flat=True)) == sorted(
        [f"{names['HYD-1007']} (HYD-1007)", f"{names['PNE-1002']} (PNE-1002)"]
    )
    content_log = run.steps.get(name="content").log
    assert f"featured TOL-1001: {names['TOL-1001']}, no picture" in content_log
    assert f"featured HYD-1007: {names['HYD-1007']}, its own picture" in content_log
    page = Client().get("/", HTTP_HOST="nordlicht.localhost").content.decode()
    assert names["TOL-1001"] in page
    assert "Article " not in page


def test_the_plan_refuses_featured_skus_the_erp_lacks_or_the_store_does_not_sell(
    render_brand, settings, erp_server
):
    point_gateway_at(settings, erp_server)
    folder = render_brand(
        "nordlicht",
        currency="USD",
        erp_warehouse="WH-US",
        assortment="HYD,PNE",
        featured_skus="HYD-1007,TOL-1001,NOPE-1",
    )

    plan = plan_launch(path=folder, check_erp=True)

    featured = [p for p in plan.problems if p.startswith("SKU ")]
    assert featured == [
        "SKU TOL-1001 is in Tools, outside the store's assortment (HYD, PNE); feature a product "
        "the store sells, or add its category to the assortment.",
        "SKU NOPE-1 is unknown to the ERP (or inactive there).",
    ]
    with pytest.raises(Exception, match="SKU TOL-1001 is in Tools"):
        store_launch(path=folder, check_erp=True, inline=True)
    assert not Store.objects.filter(slug="nordlicht").exists()
    assert ProvisioningRun.objects.count() == 0


def test_the_wizard_marks_a_featured_sku_outside_the_assortment_on_its_field(
    manager_client,  # noqa: F811
    erp,  # noqa: F811
):
    response = plan_post(manager_client, featured_skus="HYD-1007,TOL-1001")

    form = response.context["form"]
    assert form.errors["featured_skus"] == [
        "SKU TOL-1001 is in Tools, outside the store's assortment (HYD, PNE); feature a product "
        "the store sells, or add its category to the assortment."
    ]
    assert list(form.errors) == ["featured_skus"]
    assert not Store.objects.exists()


def test_with_the_erp_check_off_the_mirror_judges_and_names_the_featured_products(
    render_brand,
):
    products_make(2, start=11, prefix="HYD", category="Hydraulic cylinders", codes=("HYD",))
    products_make(1, start=21, prefix="TOL", category="Tools", codes=("TOL",))
    assert Category.objects.filter(code="TOL").exists()
    refused = render_brand(
        "nordlicht", assortment="HYD", featured_skus="HYD-0011,TOL-0021,HYD-9999"
    )

    plan = plan_launch(path=refused, check_erp=False)

    assert [p for p in plan.problems if p.startswith("SKU ")] == [
        "SKU TOL-0021 is in Tools, outside the store's assortment (HYD); feature a product the "
        "store sells, or add its category to the assortment.",
        "SKU HYD-9999 is unknown to the platform's mirror of the ERP's products; check the SKU, "
        "or sync the ERP's products and plan again.",
    ]

    folder = render_brand("mittag", assortment="HYD", featured_skus="HYD-0012,HYD-0011")
    planned = plan_launch(path=folder, check_erp=False)
    assert planned.ok, planned.problems
    assert (
        "check",
        "featured products",
        "HYD-0012 Hydraulic cylinders item 12; HYD-0011 Hydraulic cylinders item 11",
    ) in [(c.kind, c.target, c.detail) for c in planned.changes]
    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == "succeeded", run.error
    assert teaser_cards("mittag") == [
        {
            "sku": "HYD-0012",
            "title": "Hydraulic cylinders item 12",
            "image": "Hydraulic cylinders item 12 (HYD-0012)",
        },
        {
            "sku": "HYD-0011",
            "title": "Hydraulic cylinders item 11",
            "image": "Hydraulic cylinders item 11 (HYD-0011)",
        },
    ]


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("Hex Bolt M5x12 DIN 933 8.8 zinc plated", "bolt"),
        ("Hex Nut M8 DIN 934 A2 stainless", None),
        ("Deep Groove Ball Bearing 6002-2RS", "bearing"),
        ("O-Ring NBR 70 15x2.0", "seal"),
        ("Hydraulic Cylinder CDT3 DN25", "cylinder"),
        ("Hydraulic Hose 2SN DN06", None),
        ("Torque Wrench", None),
    ],
)
def test_a_product_is_drawn_only_as_what_it_is(name, shape):
    assert FeaturedProduct("X-1", name, "", "").shape == shape


def test_a_hand_written_card_keeps_its_title_and_picture():
    teaser = {
        "type": "product_teaser",
        "value": {
            "heading": "Featured",
            "products": [
                {"sku": "FAS-1001", "title": "Our hex bolt", "image": "photo"},
                {"sku": "FAS-1002", "text": ""},
            ],
        },
    }
    content = SeedContent(
        media=(MediaSpec(key="photo", kind="product", title="Photo"),),
        home_intro="",
        home_body=(teaser,),
        pages=(),
    )
    products = {
        "FAS-1002": FeaturedProduct("FAS-1002", "Socket Cap Screw M6x12", "FAS", "Fasteners")
    }

    filled, log = featured_fill(content, products)

    assert filled.home_body[0]["value"]["products"] == [
        {"sku": "FAS-1001", "title": "Our hex bolt", "image": "photo"},
        {
            "sku": "FAS-1002",
            "text": "",
            "title": "Socket Cap Screw M6x12",
            "image": "product-fas-1002",
        },
    ]
    assert [(m.key, m.title, m.shape) for m in filled.media] == [
        ("photo", "Photo", "bolt"),
        ("product-fas-1002", "Socket Cap Screw M6x12 (FAS-1002)", "bolt"),
    ]
    # The content read from the folder is not changed in place.
    assert content.home_body[0]["value"]["products"][1] == {"sku": "FAS-1002", "text": ""}
    assert log == (
        "featured FAS-1001: Our hex bolt, its own picture",
        "featured FAS-1002: Socket Cap Screw M6x12, its own picture",
    )
