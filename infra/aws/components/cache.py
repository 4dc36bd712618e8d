"""``Cache``: Redis on ElastiCache for Django's cache and the Celery broker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class CacheArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    node_type: str
    engine_version: str
    replicas: int
    tags: Mapping[str, str] = field(default_factory=dict)


class Cache(pulumi.ComponentResource):
    """Redis with encryption at rest and in transit, reachable only from the containers."""

    primary_endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("storefleet:aws:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets", subnet_ids=list(args.subnet_ids), tags=tags, opts=child
        )
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description="Redis from the platform's containers only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 6379,
                    "to_port": 6379,
                    "security_groups": [args.client_security_group_id],
                }
            ],
            tags=tags,
            opts=child,
        )
        group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            description="Storefleet cache and Celery broker",
            engine="redis",
            engine_version=args.engine_version,
            node_type=args.node_type,
            num_cache_clusters=1 + args.replicas,
            automatic_failover_enabled=args.replicas > 0,
            subnet_group_name=subnets.name,
            security_group_ids=[security_group.id],
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            tags=tags,
            opts=child,
        )
        self.primary_endpoint = group.primary_endpoint_address
        self.register_outputs({"primary_endpoint": self.primary_endpoint})
