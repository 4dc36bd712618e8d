"""Media on S3 and CloudFront invalidation, with real boto3 calls against moto's server on
loopback (the standard double of AWS; this machine cannot reach AWS): the storage itself, and
images and documents uploaded through the Wagtail admin by each store's editor."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer
from wagtail.models import Collection, Page

from storefleet.brand import cdn
from storefleet.brand.models import StoreDocument, StoreImage
from storefleet.brand.storage import StoreMediaStorage
from storefleet.celery import app as celery_app
from storefleet.tenants.models import Store
from tests.factories import png_bytes

BUCKETS = {
    "ferrum": "acme-storefleet-test-ferrum-media",
    "hydra": "acme-storefleet-test-hydra-media",
}
SHARED = "acme-storefleet-test-static"

# The brands' own image and document go to the storage each test sets up.
pytestmark = pytest.mark.brands_per_test


@pytest.fixture(scope="module")
def aws(tmp_path_factory) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    mp = pytest.MonkeyPatch()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path_factory.mktemp("aws") / "none"),
    }.items():
        mp.setenv(key, value)
    yield f"http://{host}:{port}"
    mp.undo()
    server.stop()


@pytest.fixture
def moto(aws) -> str:
    """Each test starts from an empty account (the server lives for the whole module): reset
    once per test, however many of the fixtures below it uses."""
    urllib.request.urlopen(urllib.request.Request(f"{aws}/moto-api/reset", method="POST"))
    return aws


@pytest.fixture
def s3(moto, settings):
    aws = moto
    settings.STOREFLEET_AWS_ENDPOINT_URL = aws
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.STOREFLEET_MEDIA_BUCKET_TEMPLATE = "acme-storefleet-test-{slug}-media"
    settings.STOREFLEET_SHARED_MEDIA_BUCKET = SHARED
    settings.STOREFLEET_SHARED_MEDIA_DOMAIN = "d111static.cloudfront.net"
    client = boto3.client("s3", endpoint_url=aws)
    for bucket in [*BUCKETS.values(), SHARED]:
        client.create_bucket(Bucket=bucket)
        client.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
    yield client
    for bucket in [*BUCKETS.values(), SHARED]:
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


def keys(client, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_store_media_lands_in_the_stores_own_bucket(s3, ferrum, hydra):
    storage = StoreMediaStorage()

    name = storage.save("stores/ferrum/original_images/bolt.png", ContentFile(b"\x89PNG ferrum"))

    assert name == "stores/ferrum/original_images/bolt.png"
    assert keys(s3, BUCKETS["ferrum"]) == ["media/original_images/bolt.png"]
    assert keys(s3, BUCKETS["hydra"]) == []
    assert keys(s3, SHARED) == []
    head = s3.head_object(Bucket=BUCKETS["ferrum"], Key="media/original_images/bolt.png")
    assert head["ServerSideEncryption"] == "AES256"
    assert storage.exists(name) and storage.size(name) == len(b"\x89PNG ferrum")
    with storage.open(name) as file:
        assert file.read() == b"\x89PNG ferrum"
    assert storage.url(name) == "https://ferrum.localhost/media/original_images/bolt.png"


def test_a_second_file_of_the_same_name_does_not_overwrite(s3, ferrum):
    storage = StoreMediaStorage()
    first = storage.save("stores/ferrum/documents/sheet.pdf", ContentFile(b"one"))
    second = storage.save("stores/ferrum/documents/sheet.pdf", ContentFile(b"two"))

    assert first != second and second.startswith("stores/ferrum/documents/sheet_")
    assert len(keys(s3, BUCKETS["ferrum"])) == 2
    storage.delete(first)
    assert keys(s3, BUCKETS["ferrum"]) == ["media/" + second.removeprefix("stores/ferrum/")]


def test_a_name_fits_the_fields_length_with_its_store_prefix(s3, ferrum):
    """The field's limit (100 for Wagtail's files) is on the whole name, prefix included."""
    storage = StoreMediaStorage()
    long_name = "stores/ferrum/original_images/" + "a" * 90 + ".png"

    name = storage.save(long_name, ContentFile(b"\x89PNG"), max_length=100)

    assert len(name) == 100 and name.startswith("stores/ferrum/original_images/aaa")
    assert keys(s3, BUCKETS["ferrum"]) == ["media/" + name.removeprefix("stores/ferrum/")]


def test_media_no_store_owns_goes_to_the_shared_bucket(s3):
    storage = StoreMediaStorage()

    name = storage.save("original_images/platform.png", ContentFile(b"shared"))

    assert keys(s3, SHARED) == ["media/original_images/platform.png"]
    assert [keys(s3, b) for b in BUCKETS.values()] == [[], []]
    assert (
        storage.url(name) == "https://d111static.cloudfront.net/media/original_images/platform.png"
    )


# -- Wagtail uploads through the admin, stored by the production storage ---------------------
@pytest.fixture
def store_media(s3, settings):
    """Media through the production storage: every upload below is a real S3 call (to moto).
    Requested before the brands, so their factory image and document go through it too."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storefleet.brand.storage.StoreMediaStorage"},
    }
    return s3


def upload(client, editor, kind: str, name: str, content: bytes, collection_id: int) -> int:
    """What the admin's "Add images" / "Add documents" page sends for one file."""
    client.force_login(editor)
    response = client.post(
        f"/admin/{kind}/multiple/add/",
        {"files[]": ContentFile(content, name=name), "collection": collection_id},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200 and response.json()["success"] is True, response.content
    return response.json()["image_id" if kind == "images" else "doc_id"]


def test_an_editors_uploads_land_in_the_stores_own_bucket(store_media, ferrum, hydra, client):
    s3 = store_media
    collection = ferrum.store.collection_id

    image_id = upload(client, ferrum.editor, "images", "valve.png", png_bytes(), collection)
    # The image's edit page shows it through renditions, made (and stored) on the way.
    assert client.get(f"/admin/images/{image_id}/", HTTP_HOST="localhost").status_code == 200
    document_id = upload(client, ferrum.editor, "documents", "sheet.pdf", b"%PDF-1.4", collection)

    image = StoreImage.objects.get(pk=image_id)
    assert image.file.name == "stores/ferrum/original_images/valve.png"
    assert sorted(r.file.name for r in image.renditions.all()) == [
        "stores/ferrum/images/valve.max-800x600.png",
        "stores/ferrum/images/valve.original.png",
    ]
    assert (
        StoreDocument.objects.get(pk=document_id).file.name == "stores/ferrum/documents/sheet.pdf"
    )
    assert keys(s3, BUCKETS["ferrum"]) == [
        "media/documents/ferrum.pdf",  # the factory's, through the same storage
        "media/documents/sheet.pdf",
        "media/images/valve.max-800x600.png",
        "media/images/valve.original.png",
        "media/original_images/ferrum.png",
        "media/original_images/valve.png",
    ]
    assert keys(s3, BUCKETS["hydra"]) == [
        "media/documents/hydra.pdf",
        "media/original_images/hydra.png",
    ]
    assert keys(s3, SHARED) == []
    head = s3.head_object(Bucket=BUCKETS["ferrum"], Key="media/original_images/valve.png")
    assert head["ServerSideEncryption"] == "AES256"
    assert image.file.url == "https://ferrum.localhost/media/original_images/valve.png"


def test_a_hydra_upload_lands_only_in_hydras_bucket(store_media, ferrum, hydra, client):
    """…and moves Hydra's page-cache version on, not Ferrum's."""
    s3 = store_media
    collection = hydra.store.collection_id
    versions = {
        w.store.slug: Store.objects.get(pk=w.store.pk).content_version for w in (ferrum, hydra)
    }

    upload(client, hydra.editor, "images", "pump.png", png_bytes("#00695C"), collection)
    upload(client, hydra.editor, "documents", "curve.pdf", b"%PDF-1.4", collection)

    assert keys(s3, BUCKETS["hydra"]) == [
        "media/documents/curve.pdf",
        "media/documents/hydra.pdf",
        "media/original_images/hydra.png",
        "media/original_images/pump.png",
    ]
    assert keys(s3, BUCKETS["ferrum"]) == [
        "media/documents/ferrum.pdf",
        "media/original_images/ferrum.png",
    ]
    assert keys(s3, SHARED) == []
    assert Store.objects.get(pk=hydra.store.pk).content_version > versions["hydra"]
    assert Store.objects.get(pk=ferrum.store.pk).content_version == versions["ferrum"]


def test_platform_media_in_the_root_collection_go_to_the_shared_bucket(
    store_media, ferrum, client, django_user_model
):
    s3 = store_media
    staff = django_user_model.objects.create_superuser("it", "it@example.com", "x")
    root = Collection.get_first_root_node()

    image_id = upload(client, staff, "images", "platform.png", png_bytes(), root.pk)

    assert StoreImage.objects.get(pk=image_id).file.name == "original_images/platform.png"
    assert keys(s3, SHARED) == ["media/original_images/platform.png"]
    assert "media/original_images/platform.png" not in keys(s3, BUCKETS["ferrum"])


# -- CloudFront ----------------------------------------------------------------------------------
def create_distribution(endpoint: str, hostname: str) -> str:
    client = boto3.client("cloudfront", endpoint_url=endpoint)
    response = client.create_distribution(
        DistributionConfig={
            "CallerReference": hostname,
            "Aliases": {"Quantity": 1, "Items": [hostname]},
            "Comment": hostname,
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "storefront",
                        "DomainName": "alb.example.com",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "storefront",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
            },
        }
    )
    return response["Distribution"]["Id"]


def invalidations(endpoint: str, distribution_id: str) -> list[dict]:
    client = boto3.client("cloudfront", endpoint_url=endpoint)
    listed = client.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    found = []
    for item in listed.get("Items", []):
        found.append(
            client.get_invalidation(DistributionId=distribution_id, Id=item["Id"])["Invalidation"]
        )
    return found


@pytest.fixture
def distributions(moto, settings):
    settings.STOREFLEET_AWS_ENDPOINT_URL = moto
    return {slug: create_distribution(moto, f"{slug}.localhost") for slug in ("ferrum", "hydra")}


def test_invalidation_batches_paths_on_the_stores_distribution(aws, distributions, ferrum, hydra):
    result = cdn.store_cdn_invalidate(
        slug="ferrum",
        hostname="ferrum.localhost",
        paths=["/about/*", "/", "/about/*", "media/x.png"],
        batch_id="b1",
    )

    assert result == cdn.Invalidation(
        slug="ferrum",
        distribution_id=distributions["ferrum"],
        paths=("/", "/about/*", "/media/x.png"),
        caller_reference="storefleet-ferrum-b1",
        invalidation_id=result.invalidation_id if result else "",
    )
    (made,) = invalidations(aws, distributions["ferrum"])
    assert made["InvalidationBatch"]["Paths"]["Items"] == ["/", "/about/*", "/media/x.png"]
    assert made["InvalidationBatch"]["CallerReference"] == "storefleet-ferrum-b1"
    assert invalidations(aws, distributions["hydra"]) == []


def test_many_paths_become_one_wildcard(aws, distributions, ferrum, settings):
    settings.STOREFLEET_CDN_DISTRIBUTIONS = {"ferrum": distributions["ferrum"]}

    result = cdn.store_cdn_invalidate(
        slug="ferrum",
        hostname="ferrum.localhost",
        paths=[f"/p{i}/" for i in range(cdn.MAX_PATHS + 1)],
        batch_id="b2",
    )

    assert result is not None and result.paths == ("/*",)
    (made,) = invalidations(aws, distributions["ferrum"])
    assert made["InvalidationBatch"]["Paths"] == {"Quantity": 1, "Items": ["/*"]}


def test_no_distribution_no_call(aws, distributions):
    unserved = cdn.store_cdn_invalidate(
        slug="nordlicht", hostname="nordlicht.localhost", paths=["/"], batch_id="b3"
    )

    assert unserved is None
    assert [invalidations(aws, d) for d in distributions.values()] == [[], []]


def test_the_same_batch_sends_the_same_caller_reference(aws, distributions, ferrum):
    """CloudFront answers a repeated CallerReference with the invalidation it has (AWS's
    documented behaviour; moto records both, so here the reference itself is what is checked)."""
    cdn.store_cdn_invalidate(
        slug="ferrum", hostname="ferrum.localhost", paths=["/"], batch_id="same"
    )
    cdn.store_cdn_invalidate(
        slug="ferrum", hostname="ferrum.localhost", paths=["/"], batch_id="same"
    )

    references = {
        i["InvalidationBatch"]["CallerReference"]
        for i in invalidations(aws, distributions["ferrum"])
    }
    assert references == {"storefleet-ferrum-same"}


@pytest.mark.django_db(transaction=True)
def test_publishing_a_page_invalidates_through_a_real_worker(
    aws, distributions, ferrum, hydra, settings
):
    """Publish in Ferrum → after commit one task → a Celery worker → one invalidation on
    Ferrum's distribution, none on Hydra's; the page cache moved on as before.

    Transactional: starting a worker in this process closes the database connections (Celery's
    Django fix-up), which would break a test running inside one open transaction; and the
    worker thread must see what the test committed."""
    import celery.contrib.testing.tasks  # noqa: F401 - the worker's ping task

    settings.STOREFLEET_CDN_INVALIDATION = True
    home = Page.objects.get(pk=ferrum.store.site.root_page_id).specific
    page = home.get_children().live().first().specific
    version = type(ferrum.store).objects.get(pk=ferrum.store.pk).content_version

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.save_revision().publish()  # autocommit: the on-commit hook runs at once
        for _ in range(100):
            if invalidations(aws, distributions["ferrum"]):
                break
            time.sleep(0.1)

    (made,) = invalidations(aws, distributions["ferrum"])
    relative = page.url_path.removeprefix(home.url_path)
    assert made["InvalidationBatch"]["Paths"]["Items"] == ["/", f"/{relative}*"]
    assert invalidations(aws, distributions["hydra"]) == []
    assert type(ferrum.store).objects.get(pk=ferrum.store.pk).content_version > version


@pytest.mark.django_db(transaction=True)
def test_an_upload_invalidates_its_paths_on_the_stores_distribution(
    moto, store_media, distributions, ferrum, hydra, client, settings
):
    """An editor's upload → after commit one task → a Celery worker → an invalidation of the
    file and its renditions on Ferrum's distribution, none on Hydra's (transactional for the
    same reasons as the page test above)."""
    import celery.contrib.testing.tasks  # noqa: F401 - the worker's ping task

    settings.STOREFLEET_CDN_INVALIDATION = True
    aws = moto

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        upload(client, ferrum.editor, "images", "gear.png", png_bytes(), ferrum.store.collection_id)
        for _ in range(100):
            if invalidations(aws, distributions["ferrum"]):
                break
            time.sleep(0.1)

    made = invalidations(aws, distributions["ferrum"])
    assert {path for i in made for path in i["InvalidationBatch"]["Paths"]["Items"]} == {
        "/media/images/gear.*",
        "/media/original_images/gear.png",
    }
    assert invalidations(aws, distributions["hydra"]) == []


def test_invalidation_is_off_unless_configured(
    aws, distributions, ferrum, settings, django_capture_on_commit_callbacks
):
    settings.STOREFLEET_CDN_INVALIDATION = False
    home = Page.objects.get(pk=ferrum.store.site.root_page_id)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        home.specific.save_revision().publish()

    assert all(getattr(c, "__name__", "") != "_flush" for c in callbacks)
    assert invalidations(aws, distributions["ferrum"]) == []


def test_paths_for_pages_and_media():
    assert cdn.page_paths(url_path="/home-ferrum/about/", root_url_path="/home-ferrum/") == (
        "/",
        "/about/*",
    )
    assert cdn.page_paths(url_path="/home-ferrum/", root_url_path="/home-ferrum/") == ("/", "/*")
    assert cdn.media_paths(
        file_url="https://ferrum.localhost/media/original_images/bolt.png", is_image=True
    ) == ("/media/images/bolt.*", "/media/original_images/bolt.png")
