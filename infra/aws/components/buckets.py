"""A private bucket as every Storefleet bucket is made: owner-enforced, public access blocked,
encrypted at rest, versioned, old versions expired. Readers come in through CloudFront's origin
access control, granted by a bucket policy the caller writes (it knows the distribution)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def private_bucket(
    name: str,
    *,
    bucket_name: pulumi.Input[str],
    parent: pulumi.Resource,
    tags: Mapping[str, str],
    noncurrent_days: int,
) -> aws.s3.Bucket:
    child = pulumi.ResourceOptions(parent=parent)
    # Named, not auto-named: the platform's IAM policy and its media settings find the buckets
    # by this name (``<prefix>-<slug>-media``).
    bucket = aws.s3.Bucket(name, bucket=bucket_name, tags=dict(tags), opts=child)
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=child,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                "bucket_key_enabled": True,
            }
        ],
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                # A replaced file keeps its old version this long (undo), then it goes.
                "id": "expire-noncurrent-versions",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    return bucket


def cloudfront_read_policy(
    name: str,
    *,
    parent: pulumi.Resource,
    bucket: aws.s3.Bucket,
    distribution_arn: pulumi.Input[str],
) -> aws.s3.BucketPolicy:
    """Only this distribution may read the bucket, and only over TLS."""
    return aws.s3.BucketPolicy(
        name,
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "CloudFrontReadsThroughOriginAccessControl",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ],
            }
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def s3_origin_access_control(name: str, *, parent: pulumi.Resource, description: str):
    return aws.cloudfront.OriginAccessControl(
        name,
        description=description,
        origin_access_control_origin_type="s3",
        signing_behavior="always",
        signing_protocol="sigv4",
        opts=pulumi.ResourceOptions(parent=parent),
    )
