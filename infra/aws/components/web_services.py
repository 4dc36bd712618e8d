"""``WebServices``: the platform's containers on ECS Fargate — the web service behind an
application load balancer, the Celery worker and the Celery beat — with their roles, logs and
secrets.

The beat sends the platform's schedule (``CELERY_BEAT_SCHEDULE``: the ERP mirrors, the ERP
change watch, the outbox sweep that sends again what a lost task left, the purges) to the
worker. It is one task, never two: a second beat would send every job twice, so its service
keeps one task and stops the old one before starting the new on a deployment.

Every store's host rule (``BrandStore``) forwards to the web target group made here; requests on
no store's host (the admin, ``/healthz``) reach it through the listener's default action."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class ContainerSpec:
    image: pulumi.Input[str]
    command: tuple[str, ...]
    cpu: int
    memory: int
    count: int


@dataclass(frozen=True)
class WebServicesArgs:
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    load_balancer_security_group_id: pulumi.Input[str]
    app_security_group_id: pulumi.Input[str]
    app_port: int
    certificate_arn: pulumi.Input[str]
    web: ContainerSpec
    worker: ContainerSpec
    beat: ContainerSpec
    # Plain settings (no secret among them) and secret ones (name → Secrets Manager valueFrom).
    environment: Mapping[str, pulumi.Input[str]]
    secrets: Mapping[str, pulumi.Input[str]]
    secret_arns: Sequence[pulumi.Input[str]]
    media_bucket_prefix: pulumi.Input[str]
    static_bucket: pulumi.Input[str]
    log_retention_days: int = 30
    tags: Mapping[str, str] = field(default_factory=dict)


class WebServices(pulumi.ComponentResource):
    """Cluster, load balancer with HTTPS listener, web, worker and beat services."""

    load_balancer_dns_name: pulumi.Output[str]
    https_listener_arn: pulumi.Output[str]
    web_target_group_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: WebServicesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storefleet:aws:WebServices", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": "enabled"}],
            tags=tags,
            opts=child,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.log_retention_days, tags=tags, opts=child
        )
        load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            security_groups=[args.load_balancer_security_group_id],
            subnets=list(args.public_subnet_ids),
            drop_invalid_header_fields=True,
            tags=tags,
            opts=child,
        )
        target_group = aws.lb.TargetGroup(
            f"{name}-web",
            port=args.app_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=30,
            health_check={"path": "/healthz", "matcher": "200", "interval": 15},
            tags=tags,
            opts=child,
        )
        https = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificate_arn=args.certificate_arn,
            default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            tags=tags,
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
                }
            ],
            tags=tags,
            opts=child,
        )

        assume = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
        execution_role = aws.iam.Role(
            f"{name}-execution", assume_role_policy=assume, tags=tags, opts=child
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-execution",
            role=execution_role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-execution-secrets",
            role=execution_role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": list(args.secret_arns),
                        }
                    ],
                }
            ),
            opts=child,
        )
        task_role = aws.iam.Role(f"{name}-task", assume_role_policy=assume, tags=tags, opts=child)
        media_objects = pulumi.Output.concat("arn:aws:s3:::", args.media_bucket_prefix, "-*/*")
        static_bucket = pulumi.Output.concat("arn:aws:s3:::", args.static_bucket)
        aws.iam.RolePolicy(
            f"{name}-task-storage",
            role=task_role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            # Every store's media bucket, by the naming rule BrandStore follows.
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                            "Resource": [
                                media_objects,
                                pulumi.Output.concat(static_bucket, "/*"),
                            ],
                        },
                        {
                            "Effect": "Allow",
                            "Action": "s3:ListBucket",
                            "Resource": [
                                pulumi.Output.concat(
                                    "arn:aws:s3:::", args.media_bucket_prefix, "-*"
                                ),
                                static_bucket,
                            ],
                        },
                        {
                            # Invalidations on publish (storefleet.brand.cdn).
                            "Effect": "Allow",
                            "Action": [
                                "cloudfront:CreateInvalidation",
                                "cloudfront:GetInvalidation",
                            ],
                            "Resource": "*",
                        },
                    ],
                }
            ),
            opts=child,
        )

        def container(role: str, spec: ContainerSpec) -> pulumi.Output[str]:
            return pulumi.Output.json_dumps(
                [
                    {
                        "name": role,
                        "image": spec.image,
                        "command": list(spec.command),
                        "essential": True,
                        "portMappings": (
                            [{"containerPort": args.app_port, "protocol": "tcp"}]
                            if role == "web"
                            else []
                        ),
                        "environment": [
                            {"name": key, "value": value}
                            for key, value in sorted(args.environment.items())
                        ],
                        "secrets": [
                            {"name": key, "valueFrom": value}
                            for key, value in sorted(args.secrets.items())
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": logs.name,
                                "awslogs-region": region,
                                "awslogs-stream-prefix": role,
                            },
                        },
                    }
                ]
            )

        for role, spec in (("web", args.web), ("worker", args.worker), ("beat", args.beat)):
            single = role == "beat"
            task = aws.ecs.TaskDefinition(
                f"{name}-{role}",
                family=f"{name}-{role}",
                requires_compatibilities=["FARGATE"],
                network_mode="awsvpc",
                cpu=str(spec.cpu),
                memory=str(spec.memory),
                execution_role_arn=execution_role.arn,
                task_role_arn=task_role.arn,
                container_definitions=container(role, spec),
                tags=tags,
                opts=child,
            )
            aws.ecs.Service(
                f"{name}-{role}",
                cluster=cluster.arn,
                task_definition=task.arn,
                desired_count=1 if single else spec.count,
                launch_type="FARGATE",
                # The beat: the old task stops before the new one starts (never two beats).
                deployment_maximum_percent=100 if single else None,
                deployment_minimum_healthy_percent=0 if single else None,
                network_configuration={
                    "subnets": list(args.private_subnet_ids),
                    "security_groups": [args.app_security_group_id],
                    "assign_public_ip": False,
                },
                load_balancers=(
                    [
                        {
                            "target_group_arn": target_group.arn,
                            "container_name": "web",
                            "container_port": args.app_port,
                        }
                    ]
                    if role == "web"
                    else []
                ),
                deployment_circuit_breaker={"enable": True, "rollback": True},
                propagate_tags="SERVICE",
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[https]),
            )

        self.load_balancer_dns_name = load_balancer.dns_name
        self.https_listener_arn = https.arn
        self.web_target_group_arn = target_group.arn
        self.register_outputs(
            {
                "load_balancer_dns_name": self.load_balancer_dns_name,
                "https_listener_arn": self.https_listener_arn,
                "web_target_group_arn": self.web_target_group_arn,
            }
        )
