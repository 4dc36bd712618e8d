"""The store program (``infra/aws/store``) under Pulumi's mocks, for every folder in brands/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pulumi
import pytest
from components.stacks import listener_rule_priority, store_stack
from components.store_file import StoreDeclarationError

from tests.infra.checks import (
    BUCKET,
    DISTRIBUTION,
    assert_buckets_private_and_encrypted,
    assert_distributions_https_only_with_oac,
    assert_every_taggable_resource_tagged,
)
from tests.infra.conftest import REPO
from tests.infra.pulumi_support import PLATFORM_OUTPUTS, Deployment, run_program

SLUGS = sorted(p.name for p in (REPO / "brands").iterdir() if (p / "store.toml").is_file())


def deploy(config: dict, check=None) -> Deployment:
    return run_program(
        store_stack,
        project="storefleet-store",
        stack=f"store-{config['slug']}",
        config=config,
        check=check,
    )


def test_the_declared_stores_are_the_brand_folders():
    assert SLUGS == ["ferrum", "hydra"]


@pytest.mark.parametrize("slug", SLUGS)
def test_one_brand_store_per_folder_with_its_outputs(slug, store_config):
    seen: dict[str, object] = {}

    def check(store):
        return pulumi.Output.all(
            store.media_bucket, store.distribution_id, store.certificate_status
        ).apply(lambda values: seen.update(outputs=values))

    deployment = deploy(store_config(slug), check)

    (component,) = deployment.of_type("storefleet:aws:BrandStore")
    assert component.name == slug
    assert seen["outputs"] == [
        f"acme-storefleet-test-{slug}-media",
        f"{slug}-cdn-id",
        "PENDING_VALIDATION",
    ]
    assert len(deployment.of_type(BUCKET)) == 1
    assert len(deployment.of_type(DISTRIBUTION)) == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_media_private_encrypted_and_distribution_https_only(slug, store_config):
    deployment = deploy(store_config(slug, noncurrentMediaDays=45))

    assert assert_buckets_private_and_encrypted(deployment) == 1
    assert assert_distributions_https_only_with_oac(deployment) == 1
    lifecycle = deployment.named(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        f"{slug}-media-lifecycle",
    )
    assert lifecycle.inputs["rules"][0]["noncurrentVersionExpiration"] == {"noncurrentDays": 45}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_resource_tagged_with_brand_and_region(slug, store_config):
    deployment = deploy(store_config(slug))
    brand, region = {
        "ferrum": ("Ferrum Industrial Components", "Europe"),
        "hydra": ("Hydra Flow Systems", "North America"),
    }[slug]

    tagged = assert_every_taggable_resource_tagged(
        deployment, Brand=brand, Region=region, Store=slug, Environment="test"
    )
    # Bucket, two certificates, listener rule, distribution.
    assert tagged == 5


@pytest.mark.parametrize("slug", SLUGS)
def test_certificate_dns_records_and_host_rule(slug, store_config):
    deployment = deploy(store_config(slug))
    hostname = f"{slug}.localhost"
    # Hydra's Japanese has a host of its own (brands/hydra/store.toml's [store.hosts]).
    hosts = {"ferrum": [hostname], "hydra": [hostname, "hydra-ja.localhost"]}[slug]

    (provider,) = deployment.of_type("pulumi:providers:aws")
    assert provider.inputs["region"] == "us-east-1"
    viewer = deployment.named("aws:acm/certificate:Certificate", f"{slug}-certificate")
    origin = deployment.named("aws:acm/certificate:Certificate", f"{slug}-origin-certificate")
    assert (viewer.inputs["domainName"], viewer.inputs["validationMethod"]) == (hostname, "DNS")
    assert (origin.inputs["domainName"], origin.inputs["validationMethod"]) == (hostname, "DNS")
    assert viewer.provider.startswith(f"urn:pulumi:store-{slug}::storefleet-store::")
    assert viewer.provider.endswith("pulumi:providers:aws::us-east-1::us-east-1-id")
    assert origin.provider == ""  # the stack's own region, where the load balancer is
    for certificate in (viewer, origin):
        assert certificate.inputs.get("subjectAlternativeNames") == (hosts[1:] or None)

    records = {r.name: r.inputs for r in deployment.of_type("aws:route53/record:Record")}
    assert records[f"{slug}-certificate-validation"] == {
        "zoneId": "Z-localhost",
        "name": f"_x1.{hostname}.",
        "type": "CNAME",
        "records": ["_y1.acm-validations.aws."],
        "ttl": 300,
        "allowOverwrite": True,
    }
    for host in hosts[1:]:
        # Found by name among the certificate's options (ACM lists them in no fixed order).
        assert records[f"{slug}-certificate-validation-{host}"] == {
            "zoneId": "Z-localhost",
            "name": f"_x1.{host}.",
            "type": "CNAME",
            "records": ["_y1.acm-validations.aws."],
            "ttl": 300,
            "allowOverwrite": True,
        }
    for host, record_type in ((h, t) for h in hosts for t in ("a", "aaaa")):
        name = f"{slug}-{record_type}" + ("" if host == hostname else f"-{host}")
        assert records[name]["name"] == host
        assert records[name]["aliases"] == [
            {
                "name": f"d-{slug}-cdn.cloudfront.net",
                "zoneId": "Z2FDTNDATAQYW2",
                "evaluateTargetHealth": False,
            }
        ]
    # The viewer's certificate and the origin's, both validated by the one record.
    validations = deployment.of_type("aws:acm/certificateValidation:CertificateValidation")
    assert sorted(v.name for v in validations) == [
        f"{slug}-certificate-validation",
        f"{slug}-origin-certificate-validation",
    ]
    for validation in validations:
        assert validation.inputs["validationRecordFqdns"] == [f"_x1.{h}" for h in hosts]

    rule = deployment.named("aws:lb/listenerRule:ListenerRule", f"{slug}-host-rule")
    assert rule.inputs["listenerArn"] == PLATFORM_OUTPUTS["httpsListenerArn"]
    assert rule.inputs["priority"] == listener_rule_priority(slug)
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": hosts}}]
    assert rule.inputs["actions"] == [
        {"type": "forward", "targetGroupArn": PLATFORM_OUTPUTS["webTargetGroupArn"]}
    ]
    listener_certificate = deployment.named(
        "aws:lb/listenerCertificate:ListenerCertificate", f"{slug}-listener-certificate"
    )
    assert listener_certificate.inputs["certificateArn"] == origin.state["arn"]

    (distribution,) = deployment.of_type(DISTRIBUTION)
    assert distribution.inputs["aliases"] == hosts
    assert distribution.inputs["viewerCertificate"]["acmCertificateArn"] == viewer.state["arn"]
    storefront = distribution.inputs["origins"][0]
    assert storefront["domainName"] == PLATFORM_OUTPUTS["loadBalancerDnsName"]


def test_no_two_stores_share_media(store_config):
    """Each store's distribution reads its own bucket, and its bucket admits only its own
    distribution; no bucket name, host or listener priority repeats across stores."""
    buckets, priorities = set(), set()
    hosts: list[str] = []
    for slug in SLUGS:
        deployment = deploy(store_config(slug))
        (bucket,) = deployment.of_type(BUCKET)
        (distribution,) = deployment.of_type(DISTRIBUTION)
        (policy,) = deployment.of_type("aws:s3/bucketPolicy:BucketPolicy")
        media = [o for o in distribution.inputs["origins"] if o["originId"] == "media"]
        assert [o["domainName"] for o in media] == [bucket.state["bucketRegionalDomainName"]]
        allow = json.loads(policy.inputs["policy"])["Statement"][0]
        assert allow["Condition"]["StringEquals"]["AWS:SourceArn"] == distribution.state["arn"]
        assert allow["Resource"] == f"arn:aws:s3:::{bucket.inputs['bucket']}/*"
        buckets.add(bucket.inputs["bucket"])
        hosts += distribution.inputs["aliases"]
        (rule,) = deployment.of_type("aws:lb/listenerRule:ListenerRule")
        priorities.add(rule.inputs["priority"])
    assert len(buckets) == len(priorities) == len(SLUGS)
    assert len(hosts) == len(set(hosts)) == 3  # Hydra's Japanese on its own host


def _broken_copy(tmp_path: Path, slug: str, old: str, new: str) -> Path:
    brands = tmp_path / "brands"
    shutil.copytree(REPO / "brands" / slug, brands / slug)
    file = brands / slug / "store.toml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")
    return brands


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'hostname = "ferrum.localhost"',
            "",
            "[store] 'hostname' is missing; add hostname = \"...\" to the file",
        ),
        (
            'hostname = "ferrum.localhost"',
            'hostname = "ferrum.evil.example"',
            "[store] hostname 'ferrum.evil.example' is outside the allowed domains "
            "(localhost, stores.acme.example); use a host under one of them, or ask platform "
            "IT to add the domain to the stack's allowedDomains",
        ),
        (
            'hostname = "ferrum.localhost"',
            'hostname = "notlocalhost"',
            "[store] hostname 'notlocalhost' is not a valid host name",
        ),
        (
            'country = "DE"',
            'country = "DE"\n[store.hosts]\nfr = "ferrum.evil.example"',
            "[store.hosts] fr 'ferrum.evil.example' is outside the allowed domains "
            "(localhost, stores.acme.example); use a host under one of them, or ask platform "
            "IT to add the domain to the stack's allowedDomains",
        ),
        (
            'country = "DE"',
            'country = "DE"\n[store.hosts]\nfr = "not a host"',
            "[store.hosts] fr 'not a host' is not a valid host name",
        ),
        (
            'country = "DE"',
            'country = "DE"\n[store.hosts]\nfr = 7',
            "[store.hosts] fr '7' is not a valid host name",
        ),
    ],
    ids=[
        "no-hostname",
        "outside-allowed-domains",
        "not-a-host",
        "language-host-outside-allowed-domains",
        "language-host-not-a-host",
        "language-host-not-text",
    ],
)
def test_bad_store_file_refused_before_any_resource(tmp_path, store_config, old, new, message):
    brands = _broken_copy(tmp_path, "ferrum", old, new)
    deployment_holder: list[Deployment] = []

    with pytest.raises(StoreDeclarationError) as refused:
        deployment_holder.append(deploy(store_config("ferrum", brands_dir=brands)))

    assert message in str(refused.value)
    assert str(refused.value).startswith(f"{brands / 'ferrum' / 'store.toml'}: ")
    assert deployment_holder == []


def test_refusal_declares_nothing(tmp_path, store_config, monkeypatch):
    """The same refusal, watching the mocks: not a provider, not a stack reference."""
    from tests.infra import pulumi_support

    recorded: list[Deployment] = []
    original = pulumi_support.Deployment

    def recording() -> Deployment:
        deployment = original()
        recorded.append(deployment)
        return deployment

    monkeypatch.setattr(pulumi_support, "Deployment", recording)
    brands = _broken_copy(tmp_path, "ferrum", 'hostname = "ferrum.localhost"', "")

    with pytest.raises(StoreDeclarationError):
        deploy(store_config("ferrum", brands_dir=brands))

    (deployment,) = recorded
    assert deployment.resources == []
    assert deployment.calls == []


def test_missing_brand_folder_refused(tmp_path, store_config):
    with pytest.raises(
        StoreDeclarationError, match=r"no store file\. Is 'nowhere' a brand folder\?"
    ):
        deploy(store_config("nowhere", brands_dir=tmp_path))
