"""What must hold for every bucket, distribution and resource in any Storefleet program."""

from __future__ import annotations

import json

from tests.infra.pulumi_support import Deployment, taggable

BUCKET = "aws:s3/bucket:Bucket"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"


def _for_bucket(deployment: Deployment, token: str, bucket_id: str) -> dict:
    (match,) = [r.inputs for r in deployment.of_type(token) if r.inputs.get("bucket") == bucket_id]
    return match


def assert_buckets_private_and_encrypted(deployment: Deployment) -> int:
    """Every bucket: public access blocked four ways, owner-enforced (no ACLs), encrypted by
    default, versioned with old versions expired, readable only by CloudFront over TLS."""
    buckets = deployment.of_type(BUCKET)
    for bucket in buckets:
        bucket_id = f"{bucket.name}-id"
        assert "acl" not in bucket.inputs and "website" not in bucket.inputs
        block = _for_bucket(
            deployment, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket_id
        )
        assert {
            k: block[k]
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        } == dict.fromkeys(
            ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"),
            True,
        )
        ownership = _for_bucket(
            deployment, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket_id
        )
        assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
        encryption = _for_bucket(
            deployment,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            bucket_id,
        )
        assert encryption["rules"] == [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
                "bucketKeyEnabled": True,
            }
        ]
        versioning = _for_bucket(deployment, "aws:s3/bucketVersioning:BucketVersioning", bucket_id)
        assert versioning["versioningConfiguration"] == {"status": "Enabled"}
        lifecycle = _for_bucket(
            deployment,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            bucket_id,
        )
        (rule,) = lifecycle["rules"]
        assert (
            rule["status"] == "Enabled"
            and rule["noncurrentVersionExpiration"]["noncurrentDays"] > 0
        )
        policy = json.loads(
            _for_bucket(deployment, "aws:s3/bucketPolicy:BucketPolicy", bucket_id)["policy"]
        )
        allow, deny = policy["Statement"]
        assert allow["Effect"] == "Allow"
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert allow["Action"] == "s3:GetObject"
        assert allow["Resource"] == f"{bucket.state['arn']}/*"
        assert allow["Condition"]["StringEquals"]["AWS:SourceArn"].startswith(
            "arn:aws:cloudfront::"
        )
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    return len(buckets)


def assert_distributions_https_only_with_oac(deployment: Deployment) -> int:
    """Every distribution: no behaviour answers plain HTTP (media and static: ``https-only``;
    pages redirect), custom origins reached over TLS 1.2 only, S3 origins only through an
    origin access control that signs every request."""
    oacs = {f"{r.name}-id": r.inputs for r in deployment.of_type(OAC)}
    distributions = deployment.of_type(DISTRIBUTION)
    for distribution in distributions:
        inputs = distribution.inputs
        behaviours = [inputs["defaultCacheBehavior"], *inputs.get("orderedCacheBehaviors", [])]
        for behaviour in behaviours:
            assert behaviour["viewerProtocolPolicy"] in ("https-only", "redirect-to-https")
            if behaviour["targetOriginId"] in ("media", "static"):
                assert behaviour["viewerProtocolPolicy"] == "https-only"
        for origin in inputs["origins"]:
            if "customOriginConfig" in origin:
                assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
                assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
            else:
                assert origin["domainName"].endswith(".amazonaws.com")
                oac = oacs[origin["originAccessControlId"]]
                signing = ("originAccessControlOriginType", "signingBehavior", "signingProtocol")
                assert tuple(oac[k] for k in signing) == ("s3", "always", "sigv4")
                assert "s3OriginConfig" not in origin  # no legacy origin access identity
        certificate = inputs["viewerCertificate"]
        if "acmCertificateArn" in certificate:
            assert certificate["sslSupportMethod"] == "sni-only"
            assert certificate["minimumProtocolVersion"] == "TLSv1.2_2021"
    return len(distributions)


def assert_every_taggable_resource_tagged(deployment: Deployment, **expected: str) -> int:
    """Every resource whose AWS type takes tags carries ``expected`` (and its environment)."""
    count = 0
    for resource in deployment.custom():
        if taggable(resource.type):
            tags = resource.inputs.get("tags") or {}
            assert {k: tags.get(k) for k in expected} == expected, (resource.type, resource.name)
            assert tags.get("ManagedBy") == "pulumi" and tags.get("Environment")
            count += 1
    return count
