"""The two Pulumi programs, as functions: ``platform_stack`` (one per environment) and
``store_stack`` (one per store). Their ``__main__.py`` files only call them, so the tests and
the Automation API driver run exactly what ``pulumi up`` runs.

Everything comes from stack configuration and ``brands/<slug>/store.toml``; the programs hold
no account, domain, size or name of their own."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .brand_store import BrandStore, BrandStoreArgs
from .cache import Cache, CacheArgs
from .database import Database, DatabaseArgs
from .network import Network, NetworkArgs
from .secrets import PlatformSecrets, PlatformSecretsArgs
from .static_files import StaticFiles, StaticFilesArgs
from .store_file import load_store_declaration
from .web_services import ContainerSpec, WebServices, WebServicesArgs

REPO_DIR = Path(__file__).resolve().parents[3]
APP_PORT = 8000


def base_tags(config: pulumi.Config) -> dict[str, str]:
    return {
        "Project": "storefleet",
        "Environment": config.get("environment") or pulumi.get_stack(),
        "ManagedBy": "pulumi",
    }


def media_bucket_name(prefix: str, slug: str) -> str:
    """The rule both stacks and the platform's media settings follow."""
    return f"{prefix}-{slug}-media"


def listener_rule_priority(slug: str) -> int:
    """A stable priority per store (host rules never overlap, so order does not matter; the
    listener only needs them distinct). Override with ``listenerRulePriority`` on a clash."""
    return 1 + int(hashlib.sha256(slug.encode()).hexdigest(), 16) % 49_999


def platform_stack() -> dict[str, pulumi.Output]:
    """Network, PostgreSQL, Redis, secrets, static files, web, worker and beat services."""
    config = pulumi.Config()
    tags = base_tags(config)
    prefix = config.require("bucketPrefix")
    network = Network(
        "platform",
        NetworkArgs(
            cidr_block=config.get("vpcCidr") or "10.40.0.0/16",
            availability_zones=tuple(config.require_object("availabilityZones")),
            app_port=APP_PORT,
            tags=tags,
        ),
    )
    database = Database(
        "platform-db",
        DatabaseArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            client_security_group_id=network.app_security_group_id,
            instance_class=config.require("dbInstanceClass"),
            allocated_storage_gb=config.require_int("dbAllocatedStorageGb"),
            engine_version=config.get("dbEngineVersion") or "16",
            database_name=config.get("dbName") or "storefleet",
            username=config.get("dbUser") or "storefleet",
            password=config.require_secret("dbPassword"),
            multi_az=config.get_bool("dbMultiAz") or False,
            backup_retention_days=config.get_int("dbBackupRetentionDays") or 14,
            tags=tags,
        ),
    )
    cache = Cache(
        "platform-cache",
        CacheArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            client_security_group_id=network.app_security_group_id,
            node_type=config.require("redisNodeType"),
            engine_version=config.get("redisEngineVersion") or "7.1",
            replicas=config.get_int("redisReplicas") or 0,
            tags=tags,
        ),
    )
    database_url = pulumi.Output.format(
        "postgres://{0}:{1}@{2}:{3}/{4}",
        config.get("dbUser") or "storefleet",
        config.require_secret("dbPassword"),
        database.address,
        database.port,
        config.get("dbName") or "storefleet",
    )
    secrets = PlatformSecrets(
        "platform",
        PlatformSecretsArgs(
            erp_url=config.require("erpUrl"),
            erp_database=config.require("erpDatabase"),
            erp_user=config.require("erpUser"),
            erp_password=config.require_secret("erpPassword"),
            django_secret_key=config.require_secret("djangoSecretKey"),
            database_url=database_url,
            # Invoice payments (billing): Stripe's secret key and the webhook endpoint's
            # signing secret (https://<store host>/billing/webhooks/stripe/).
            stripe_api_key=config.require_secret("stripeApiKey"),
            stripe_webhook_secret=config.require_secret("stripeWebhookSecret"),
            tags=tags,
        ),
    )
    static = StaticFiles(
        "platform-static",
        StaticFilesArgs(bucket_name=f"{prefix}-static", tags=tags),
    )
    redis = pulumi.Output.concat("rediss://", cache.primary_endpoint, ":6379")
    region = aws.get_region_output().region
    services = WebServices(
        "platform",
        WebServicesArgs(
            vpc_id=network.vpc_id,
            public_subnet_ids=network.public_subnet_ids,
            private_subnet_ids=network.private_subnet_ids,
            load_balancer_security_group_id=network.load_balancer_security_group_id,
            app_security_group_id=network.app_security_group_id,
            app_port=APP_PORT,
            certificate_arn=config.require("platformCertificateArn"),
            web=ContainerSpec(
                image=config.require("image"),
                # Two sync workers per container, as the benchmarks measure it (gunicorn's own
                # default is one: a page waiting on the ERP would hold the whole container).
                command=(
                    *("gunicorn", "storefleet.wsgi", "--bind", f"0.0.0.0:{APP_PORT}"),
                    *("--workers", str(config.get_int("webWorkers") or 2)),
                ),
                cpu=config.get_int("webCpu") or 512,
                memory=config.get_int("webMemory") or 1024,
                count=config.get_int("webCount") or 2,
            ),
            worker=ContainerSpec(
                image=config.require("image"),
                command=("celery", "-A", "storefleet", "worker", "--loglevel", "INFO"),
                cpu=config.get_int("workerCpu") or 512,
                memory=config.get_int("workerMemory") or 1024,
                count=config.get_int("workerCount") or 1,
            ),
            # The schedule's clock: one task (WebServices keeps it at one).
            beat=ContainerSpec(
                image=config.require("image"),
                command=(
                    *("celery", "-A", "storefleet", "beat", "--loglevel", "INFO"),
                    # Where beat keeps when each job last ran: the container's own /tmp
                    # (any image may write there; a new task starts its schedule afresh).
                    *("--schedule", "/tmp/celerybeat-schedule"),  # noqa: S108
                ),
                cpu=256,
                memory=512,
                count=1,
            ),
            environment={
                "DJANGO_SETTINGS_MODULE": "storefleet.settings.production",
                "DJANGO_ALLOWED_HOSTS": config.require("allowedHosts"),
                "STOREFLEET_PLATFORM_HOSTS": config.require("platformHosts"),
                "CACHE_URL": pulumi.Output.concat(redis, "/0"),
                "CELERY_BROKER_URL": pulumi.Output.concat(redis, "/1?ssl_cert_reqs=required"),
                "EMAIL_HOST": config.require("emailHost"),
                "DEFAULT_FROM_EMAIL": config.require("defaultFromEmail"),
                "BILLING_PROVIDER": "stripe",
                "AWS_S3_REGION_NAME": region,
                "STOREFLEET_MEDIA_BUCKET_TEMPLATE": media_bucket_name(prefix, "{slug}"),
                "STOREFLEET_SHARED_MEDIA_BUCKET": static.bucket,
                "STOREFLEET_SHARED_MEDIA_DOMAIN": static.domain_name,
            },
            secrets=secrets.environment,
            secret_arns=secrets.secret_arns,
            media_bucket_prefix=prefix,
            static_bucket=static.bucket,
            tags=tags,
        ),
    )
    outputs: dict[str, pulumi.Output] = {
        "httpsListenerArn": services.https_listener_arn,
        "webTargetGroupArn": services.web_target_group_arn,
        "loadBalancerDnsName": services.load_balancer_dns_name,
        "mediaBucketPrefix": pulumi.Output.from_input(prefix),
        "staticDomainName": static.domain_name,
    }
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


def store_stack() -> BrandStore:
    """One store from ``brands/<slug>/store.toml``; refuses a bad store file before declaring
    any resource (the reading and checking come first)."""
    config = pulumi.Config()
    slug = config.require("slug")
    brands_dir = Path(config.get("brandsDir") or REPO_DIR / "brands")
    declaration = load_store_declaration(
        brands_dir / slug, allowed_domains=config.require_object("allowedDomains")
    )
    platform = pulumi.StackReference(config.require("platformStack"))
    prefix = platform.require_output("mediaBucketPrefix")
    zones = {
        domain: aws.route53.get_zone_output(name=domain, private_zone=False)
        for domain in dict.fromkeys(
            (declaration.domain, *(domain for _host, domain in declaration.language_hosts))
        )
    }
    zone = zones[declaration.domain]
    # CloudFront takes certificates from us-east-1 only, whatever the stack's region.
    cdn_provider = aws.Provider("us-east-1", region="us-east-1")
    store = BrandStore(
        slug,
        BrandStoreArgs(
            slug=declaration.slug,
            brand=declaration.brand,
            region=declaration.region,
            hostname=declaration.hostname,
            media_bucket_name=prefix.apply(lambda p: media_bucket_name(str(p), slug)),
            zone_id=zone.zone_id,
            https_listener_arn=platform.require_output("httpsListenerArn"),
            web_target_group_arn=platform.require_output("webTargetGroupArn"),
            load_balancer_dns_name=platform.require_output("loadBalancerDnsName"),
            listener_rule_priority=(
                config.get_int("listenerRulePriority") or listener_rule_priority(slug)
            ),
            cdn_provider=cdn_provider,
            noncurrent_media_days=config.get_int("noncurrentMediaDays") or 30,
            price_class=config.get("priceClass") or "PriceClass_100",
            tags=base_tags(config),
            language_hosts=tuple(
                (host, zones[domain].zone_id) for host, domain in declaration.language_hosts
            ),
        ),
    )
    pulumi.export("mediaBucket", store.media_bucket)
    pulumi.export("distributionId", store.distribution_id)
    pulumi.export("distributionDomainName", store.distribution_domain_name)
    pulumi.export("certificateStatus", store.certificate_status)
    pulumi.export("hostname", declaration.hostname)
    return store
