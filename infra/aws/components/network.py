"""``Network``: the platform's VPC — public subnets for the load balancer and the NAT gateway,
private subnets for the containers, the database and Redis."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class NetworkArgs:
    cidr_block: str
    availability_zones: tuple[str, ...]
    app_port: int
    tags: Mapping[str, str] = field(default_factory=dict)


class Network(pulumi.ComponentResource):
    """A VPC over ``availability_zones`` with one public and one private subnet in each."""

    vpc_id: pulumi.Output[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    load_balancer_security_group_id: pulumi.Output[str]
    app_security_group_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storefleet:aws:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{name}-vpc"},
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child)
        # /20s carved in order: the first half public, the second private.
        subnets = list(ipaddress.ip_network(args.cidr_block).subnets(new_prefix=20))
        zones = args.availability_zones
        public_routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags=tags,
            opts=child,
        )
        public, private = [], []
        for index, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                cidr_block=str(subnets[index]),
                availability_zone=zone,
                tags={**tags, "Name": f"{name}-public-{zone}", "Tier": "public"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}",
                subnet_id=subnet.id,
                route_table_id=public_routes.id,
                opts=child,
            )
            public.append(subnet)
        nat_ip = aws.ec2.Eip(f"{name}-nat", domain="vpc", tags=tags, opts=child)
        # One NAT gateway: containers reach the ERP and AWS APIs; a zone outage stops egress,
        # not the storefront. Add one per zone when egress must survive that too.
        nat = aws.ec2.NatGateway(
            f"{name}-nat",
            subnet_id=public[0].id,
            allocation_id=nat_ip.id,
            tags=tags,
            opts=child,
        )
        private_routes = aws.ec2.RouteTable(
            f"{name}-private",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
            tags=tags,
            opts=child,
        )
        for index, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                cidr_block=str(subnets[len(subnets) // 2 + index]),
                availability_zone=zone,
                tags={**tags, "Name": f"{name}-private-{zone}", "Tier": "private"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}",
                subnet_id=subnet.id,
                route_table_id=private_routes.id,
                opts=child,
            )
            private.append(subnet)

        # Here rather than with the services: the database and Redis admit this group, and the
        # services need their addresses.
        lb_group = aws.ec2.SecurityGroup(
            f"{name}-lb",
            vpc_id=vpc.id,
            description="HTTPS (and HTTP, redirected) to the load balancer",
            ingress=[
                {"protocol": "tcp", "from_port": p, "to_port": p, "cidr_blocks": ["0.0.0.0/0"]}
                for p in (80, 443)
            ],
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
            tags=tags,
            opts=child,
        )
        app_group = aws.ec2.SecurityGroup(
            f"{name}-app",
            vpc_id=vpc.id,
            description="Web and worker containers: the web port from the load balancer only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": args.app_port,
                    "to_port": args.app_port,
                    "security_groups": [lb_group.id],
                }
            ],
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
            tags=tags,
            opts=child,
        )

        self.vpc_id = vpc.id
        self.load_balancer_security_group_id = lb_group.id
        self.app_security_group_id = app_group.id
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
            }
        )
