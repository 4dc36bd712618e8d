"""Media on S3 and CloudFront invalidation, with real boto3 calls against moto's server on
loopback (the standard double of AWS; this machine cannot reach AWS)."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer
from wagtail.models import Page

from storefleet.brand import cdn
from storefleet.brand.storage import StoreMediaStorage
from storefleet.celery import app as celery_app

BUCKETS = {
    "ferrum": "acme-storefleet-test-ferrum-media",
    "hydra": "acme-storefleet-test-hydra-media",
}
SHARED = "acme-storefleet-test-static"


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
def s3(aws, settings):
    moto_reset(aws)
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


def moto_reset(endpoint: str) -> None:
    """Each test starts from an empty account (the server lives for the whole module)."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))


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
def distributions(aws, settings):
    moto_reset(aws)
    settings.STOREFLEET_AWS_ENDPOINT_URL = aws
    return {slug: create_distribution(aws, f"{slug}.localhost") for slug in ("ferrum", "hydra")}


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
