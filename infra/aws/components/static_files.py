"""``StaticFiles``: the platform's static files (CSS, JS, admin assets) in a private bucket
behind CloudFront; ``collectstatic`` writes there, browsers read through the distribution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .buckets import cloudfront_read_policy, private_bucket, s3_origin_access_control


@dataclass(frozen=True)
class StaticFilesArgs:
    bucket_name: pulumi.Input[str]
    noncurrent_days: int = 30
    price_class: str = "PriceClass_100"
    tags: Mapping[str, str] = field(default_factory=dict)


class StaticFiles(pulumi.ComponentResource):
    """Private bucket, origin access control, HTTPS-only distribution."""

    bucket: pulumi.Output[str]
    domain_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: StaticFilesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storefleet:aws:StaticFiles", name, None, opts)
        tags = dict(args.tags)
        bucket = private_bucket(
            f"{name}-bucket",
            bucket_name=args.bucket_name,
            parent=self,
            tags=tags,
            noncurrent_days=args.noncurrent_days,
        )
        oac = s3_origin_access_control(
            f"{name}-oac", parent=self, description="CloudFront reads the static files"
        )
        caching_optimized = aws.cloudfront.get_cache_policy_output(
            name="Managed-CachingOptimized", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        distribution = aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment="Storefleet static files",
            price_class=args.price_class,
            origins=[
                {
                    "origin_id": "static",
                    "domain_name": bucket.bucket_regional_domain_name,
                    "origin_access_control_id": oac.id,
                }
            ],
            default_cache_behavior={
                "target_origin_id": "static",
                "viewer_protocol_policy": "https-only",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "compress": True,
                "cache_policy_id": caching_optimized.id,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={"cloudfront_default_certificate": True},
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        cloudfront_read_policy(
            f"{name}-policy", parent=self, bucket=bucket, distribution_arn=distribution.arn
        )
        self.bucket = bucket.bucket
        self.domain_name = distribution.domain_name
        self.register_outputs({"bucket": self.bucket, "domain_name": self.domain_name})
