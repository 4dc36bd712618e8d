"""``Database``: the platform's PostgreSQL on RDS, reachable only from the containers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class DatabaseArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    instance_class: str
    allocated_storage_gb: int
    engine_version: str
    database_name: str
    username: str
    password: pulumi.Input[str]
    multi_az: bool
    backup_retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


class Database(pulumi.ComponentResource):
    """Encrypted, private, backed up, deletion-protected PostgreSQL."""

    address: pulumi.Output[str]
    port: pulumi.Output[int]

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storefleet:aws:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets", subnet_ids=list(args.subnet_ids), tags=tags, opts=child
        )
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description="PostgreSQL from the platform's containers only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 5432,
                    "to_port": 5432,
                    "security_groups": [args.client_security_group_id],
                }
            ],
            tags=tags,
            opts=child,
        )
        instance = aws.rds.Instance(
            f"{name}-postgres",
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=args.database_name,
            username=args.username,
            password=args.password,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[security_group.id],
            publicly_accessible=False,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            deletion_protection=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{name}-final",
            copy_tags_to_snapshot=True,
            tags=tags,
            opts=child,
        )
        self.address = instance.address
        self.port = instance.port
        self.register_outputs({"address": self.address, "port": self.port})
