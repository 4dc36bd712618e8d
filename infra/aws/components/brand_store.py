"""``BrandStore``: everything one store needs in the cloud, beside the shared platform.

Its own media bucket (private, encrypted, versioned, old versions expired), a CloudFront
distribution on the store's hostname (and its languages' own hosts, store.toml's
``[store.hosts]``) that serves ``/media/*`` from that bucket through origin access control and
everything else from the shared load balancer, TLS certificates validated by DNS, the DNS
records, and the load balancer's host rule to the shared web service."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .buckets import cloudfront_read_policy, private_bucket, s3_origin_access_control

# The storefront's path prefix for media; django-storages writes keys under the same prefix.
MEDIA_PATH = "media"


@dataclass(frozen=True)
class BrandStoreArgs:
    slug: str
    brand: str
    region: str
    hostname: str
    media_bucket_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    # The shared platform's load balancer (outputs of the platform stack).
    https_listener_arn: pulumi.Input[str]
    web_target_group_arn: pulumi.Input[str]
    load_balancer_dns_name: pulumi.Input[str]
    listener_rule_priority: int
    # CloudFront only accepts certificates from us-east-1.
    cdn_provider: pulumi.ProviderResource
    noncurrent_media_days: int = 30
    price_class: str = "PriceClass_100"
    tags: Mapping[str, str] = field(default_factory=dict)
    # (host, DNS zone id) of each language served on a host of its own (store.toml's
    # [store.hosts]): names on both certificates, aliases of the distribution, values of the
    # host rule, and DNS records, as the store's hostname has.
    language_hosts: tuple[tuple[str, pulumi.Input[str]], ...] = ()


def _option_for(host: str) -> Callable[[Sequence[Any]], Any]:
    """Picks ``host``'s validation option from a certificate's (ACM keeps no order)."""

    def pick(options: Sequence[Any]) -> Any:
        return next(option for option in options if option.domain_name == host)

    return pick


class BrandStore(pulumi.ComponentResource):
    """One store's bucket, distribution, certificates, DNS and load-balancer rule."""

    media_bucket: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    distribution_domain_name: pulumi.Output[str]
    certificate_status: pulumi.Output[str]

    def __init__(
        self, name: str, args: BrandStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storefleet:aws:BrandStore", name, None, opts)
        tags = {**args.tags, "Brand": args.brand, "Region": args.region, "Store": args.slug}
        child = pulumi.ResourceOptions(parent=self)
        cdn = pulumi.ResourceOptions(parent=self, provider=args.cdn_provider)

        bucket = private_bucket(
            f"{name}-media",
            bucket_name=args.media_bucket_name,
            parent=self,
            tags=tags,
            noncurrent_days=args.noncurrent_media_days,
        )
        oac = s3_origin_access_control(
            f"{name}-media-oac", parent=self, description=f"CloudFront reads {args.slug}'s media"
        )

        # One certificate for viewers (CloudFront, us-east-1), one for the origin (the load
        # balancer's region): CloudFront forwards the viewer's Host header to the load balancer,
        # so the origin must present a certificate for the store's hostname too. ACM gives both
        # the same DNS validation record (same domain, same account), so one record serves both.
        hosts = (args.hostname, *(host for host, _zone in args.language_hosts))
        zones = {args.hostname: args.zone_id, **dict(args.language_hosts)}
        extra_names = list(hosts[1:]) or None
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=args.hostname,
            subject_alternative_names=extra_names,
            validation_method="DNS",
            tags=tags,
            opts=cdn,
        )
        # One validation record per name (ACM lists them in no fixed order: found by name).
        validation_fqdns = []
        for host in hosts:
            option = certificate.domain_validation_options.apply(_option_for(host))
            suffix = "" if host == args.hostname else f"-{host}"
            record = aws.route53.Record(
                f"{name}-certificate-validation{suffix}",
                zone_id=zones[host],
                name=option.resource_record_name,
                type=option.resource_record_type,
                records=[option.resource_record_value],
                ttl=300,
                allow_overwrite=True,
                opts=child,
            )
            validation_fqdns.append(record.fqdn)
        validation = aws.acm.CertificateValidation(
            f"{name}-certificate-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=validation_fqdns,
            opts=cdn,
        )
        origin_certificate = aws.acm.Certificate(
            f"{name}-origin-certificate",
            domain_name=args.hostname,
            subject_alternative_names=extra_names,
            validation_method="DNS",
            tags=tags,
            opts=child,
        )
        origin_validation = aws.acm.CertificateValidation(
            f"{name}-origin-certificate-validation",
            certificate_arn=origin_certificate.arn,
            validation_record_fqdns=validation_fqdns,
            opts=child,
        )
        aws.lb.ListenerCertificate(
            f"{name}-listener-certificate",
            listener_arn=args.https_listener_arn,
            certificate_arn=origin_validation.certificate_arn,
            opts=child,
        )
        aws.lb.ListenerRule(
            f"{name}-host-rule",
            listener_arn=args.https_listener_arn,
            priority=args.listener_rule_priority,
            actions=[{"type": "forward", "target_group_arn": args.web_target_group_arn}],
            conditions=[{"host_header": {"values": list(hosts)}}],
            tags=tags,
            opts=child,
        )

        caching_optimized = aws.cloudfront.get_cache_policy_output(
            name="Managed-CachingOptimized", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        origin_cache_headers = aws.cloudfront.get_cache_policy_output(
            name="Managed-UseOriginCacheControlHeaders-QueryStrings",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        all_viewer = aws.cloudfront.get_origin_request_policy_output(
            name="Managed-AllViewer", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        distribution = aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=f"Storefleet store {args.slug} ({args.hostname})",
            aliases=list(hosts),
            price_class=args.price_class,
            origins=[
                {
                    "origin_id": "storefront",
                    "domain_name": args.load_balancer_dns_name,
                    "custom_origin_config": {
                        "http_port": 80,
                        "https_port": 443,
                        "origin_protocol_policy": "https-only",
                        "origin_ssl_protocols": ["TLSv1.2"],
                    },
                },
                {
                    "origin_id": "media",
                    "domain_name": bucket.bucket_regional_domain_name,
                    "origin_access_control_id": oac.id,
                },
            ],
            # Pages: Django's own page cache decides; CloudFront keeps what Cache-Control allows
            # and is invalidated on publish (storefleet.brand.cdn).
            default_cache_behavior={
                "target_origin_id": "storefront",
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
                "cached_methods": ["GET", "HEAD"],
                "compress": True,
                "cache_policy_id": origin_cache_headers.id,
                "origin_request_policy_id": all_viewer.id,
            },
            ordered_cache_behaviors=[
                {
                    "path_pattern": f"/{MEDIA_PATH}/*",
                    "target_origin_id": "media",
                    "viewer_protocol_policy": "https-only",
                    "allowed_methods": ["GET", "HEAD"],
                    "cached_methods": ["GET", "HEAD"],
                    "compress": True,
                    "cache_policy_id": caching_optimized.id,
                }
            ],
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={
                "acm_certificate_arn": validation.certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": "TLSv1.2_2021",
            },
            tags=tags,
            opts=child,
        )
        cloudfront_read_policy(
            f"{name}-media-policy", parent=self, bucket=bucket, distribution_arn=distribution.arn
        )
        for host, record_type in ((host, kind) for host in hosts for kind in ("A", "AAAA")):
            suffix = "" if host == args.hostname else f"-{host}"
            aws.route53.Record(
                f"{name}-{record_type.lower()}{suffix}",
                zone_id=zones[host],
                name=host,
                type=record_type,
                aliases=[
                    {
                        "name": distribution.domain_name,
                        "zone_id": distribution.hosted_zone_id,
                        "evaluate_target_health": False,
                    }
                ],
                opts=child,
            )

        self.media_bucket = bucket.bucket
        self.distribution_id = distribution.id
        self.distribution_domain_name = distribution.domain_name
        self.certificate_status = certificate.status
        self.register_outputs(
            {
                "media_bucket": self.media_bucket,
                "distribution_id": self.distribution_id,
                "distribution_domain_name": self.distribution_domain_name,
                "certificate_status": self.certificate_status,
            }
        )
