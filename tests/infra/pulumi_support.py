"""Running the Pulumi programs under Pulumi's mocks (no CLI, no provider, no cloud): every
resource the program declares is recorded with its resolved inputs, and the mocks answer with
the few computed outputs the programs read (ARNs, domain names, validation records)."""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

INFRA_AWS = Path(__file__).resolve().parents[2] / "infra" / "aws"
if str(INFRA_AWS) not in sys.path:
    sys.path.insert(0, str(INFRA_AWS))

PLATFORM_OUTPUTS = {
    "httpsListenerArn": "arn:aws:elasticloadbalancing:eu-central-1:1:listener/app/platform/1/443",
    "webTargetGroupArn": "arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/web/1",
    "loadBalancerDnsName": "platform-alb-1.eu-central-1.elb.amazonaws.com",
    "mediaBucketPrefix": "acme-storefleet-test",
    "staticDomainName": "d111static.cloudfront.net",
}


@dataclass(frozen=True)
class Declared:
    type: str
    name: str
    inputs: dict[str, Any]
    state: dict[str, Any]
    provider: str = ""


@dataclass
class Deployment:
    resources: list[Declared] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def of_type(self, token: str) -> list[Declared]:
        return [r for r in self.resources if r.type == token]

    def named(self, token: str, name: str) -> Declared:
        (match,) = [r for r in self.of_type(token) if r.name == name]
        return match

    def custom(self) -> Iterator[Declared]:
        """Cloud resources: not components, providers or stack references."""
        for r in self.resources:
            if not r.type.startswith(("storefleet:", "pulumi:")):
                yield r


def _computed(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name, inputs = args.name, args.inputs
    arn = f"arn:aws:mock:::{args.typ.split(':')[-1].lower()}/{name}"
    state: dict[str, Any] = {"arn": arn}
    if args.typ == "aws:s3/bucket:Bucket":
        bucket = inputs.get("bucket") or f"{name}-a1b2c3"
        state |= {
            "bucket": bucket,
            "arn": f"arn:aws:s3:::{bucket}",
            "bucketRegionalDomainName": f"{bucket}.s3.eu-central-1.amazonaws.com",
        }
    elif args.typ == "aws:cloudfront/distribution:Distribution":
        state |= {
            "domainName": f"d-{name}.cloudfront.net",
            "hostedZoneId": "Z2FDTNDATAQYW2",
            "arn": f"arn:aws:cloudfront::1:distribution/{name}-id",
        }
    elif args.typ == "aws:acm/certificate:Certificate":
        # One option per name, as ACM lists them: in no fixed order (here, reversed).
        names = [inputs["domainName"], *(inputs.get("subjectAlternativeNames") or [])]
        state |= {
            "status": "PENDING_VALIDATION",
            "domainValidationOptions": [
                {
                    "domainName": domain,
                    "resourceRecordName": f"_x1.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": "_y1.acm-validations.aws.",
                }
                for domain in reversed(names)
            ],
        }
    elif args.typ == "aws:acm/certificateValidation:CertificateValidation":
        state["certificateArn"] = inputs["certificateArn"]
    elif args.typ == "aws:route53/record:Record":
        state["fqdn"] = str(inputs["name"]).rstrip(".")
    elif args.typ == "aws:lb/loadBalancer:LoadBalancer":
        state["dnsName"] = f"{name}.eu-central-1.elb.amazonaws.com"
    elif args.typ == "aws:rds/instance:Instance":
        state |= {"address": f"{name}.rds.amazonaws.com", "port": 5432}
    elif args.typ == "aws:elasticache/replicationGroup:ReplicationGroup":
        state["primaryEndpointAddress"] = f"{name}.cache.amazonaws.com"
    elif (
        args.typ in ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup")
        or args.typ == "aws:cloudwatch/logGroup:LogGroup"
        or args.typ == "aws:iam/role:Role"
    ):
        state["name"] = name
    elif args.typ == "pulumi:pulumi:StackReference":
        state["outputs"] = dict(PLATFORM_OUTPUTS)
    return {**inputs, **state}


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = _computed(args)
        self.deployment.resources.append(
            Declared(args.typ, args.name, dict(args.inputs), state, args.provider or "")
        )
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.deployment.calls.append((args.token, dict(args.args)))
        if args.token in (
            "aws:cloudfront/getCachePolicy:getCachePolicy",
            "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy",
        ):
            return {"id": f"{args.args['name']}-id", "name": args.args["name"]}
        if args.token == "aws:route53/getZone:getZone":
            zone = args.args["name"]
            return {"zoneId": f"Z-{zone}", "id": f"Z-{zone}", "name": zone}
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": "eu-central-1", "name": "eu-central-1", "id": "eu-central-1"}
        return {}


def run_program(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: dict[str, Any],
    check: Callable[[Any], Any] | None = None,
) -> Deployment:
    """Run ``program`` under mocks with ``config`` as the stack's configuration; ``check`` gets
    what the program returned and may return an Output, which is awaited (so its ``apply``
    callbacks, and the assertions in them, really run)."""
    deployment = Deployment()
    pulumi.runtime.set_mocks(
        RecordingMocks(deployment), project=project, stack=stack, preview=False
    )
    pulumi.runtime.set_all_config(
        {
            f"{project}:{key}": value if isinstance(value, str) else json.dumps(value)
            for key, value in config.items()
        }
    )

    @pulumi.runtime.test
    def run() -> Any:
        result = program()
        return check(result) if check else None

    run()
    return deployment


def taggable(token: str) -> bool:
    """Whether the provider's resource class for ``token`` takes ``tags``."""
    import pulumi_aws

    module_name, class_name = token.split(":")[1].split("/")[0], token.split(":")[2]
    module = importlib.import_module(f"{pulumi_aws.__name__}.{module_name}")
    cls = getattr(module, class_name)
    return "tags" in inspect.signature(cls._internal_init).parameters
