"""``PlatformSecrets``: what the containers must know but nobody should read — the ERP
credentials, Django's secret key, the database URL and the Stripe keys — in Secrets Manager.
The containers get them as environment variables from ECS, never through the task definition's
plain text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PlatformSecretsArgs:
    erp_url: pulumi.Input[str]
    erp_database: pulumi.Input[str]
    erp_user: pulumi.Input[str]
    erp_password: pulumi.Input[str]
    django_secret_key: pulumi.Input[str]
    database_url: pulumi.Input[str]
    stripe_api_key: pulumi.Input[str]
    stripe_webhook_secret: pulumi.Input[str]
    recovery_window_days: int = 7
    tags: Mapping[str, str] = field(default_factory=dict)


class PlatformSecrets(pulumi.ComponentResource):
    """Four secrets; ``environment`` maps each container variable to its ``valueFrom``."""

    secret_arns: list[pulumi.Output[str]]
    environment: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: PlatformSecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storefleet:aws:PlatformSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        values: dict[str, pulumi.Input[str]] = {
            "erp": pulumi.Output.json_dumps(
                {
                    "url": args.erp_url,
                    "database": args.erp_database,
                    "user": args.erp_user,
                    "password": args.erp_password,
                }
            ),
            "django-secret-key": args.django_secret_key,
            "database-url": args.database_url,
            "stripe": pulumi.Output.json_dumps(
                {"api_key": args.stripe_api_key, "webhook_secret": args.stripe_webhook_secret}
            ),
        }
        arns: dict[str, pulumi.Output[str]] = {}
        for key, value in values.items():
            secret = aws.secretsmanager.Secret(
                f"{name}-{key}",
                description=f"Storefleet {key}",
                recovery_window_in_days=args.recovery_window_days,
                tags=dict(args.tags),
                opts=child,
            )
            aws.secretsmanager.SecretVersion(
                f"{name}-{key}",
                secret_id=secret.id,
                secret_string=pulumi.Output.secret(value),
                opts=child,
            )
            arns[key] = secret.arn
        self.secret_arns = list(arns.values())
        self.environment = {
            "ERP_URL": arns["erp"].apply(lambda arn: f"{arn}:url::"),
            "ERP_DATABASE": arns["erp"].apply(lambda arn: f"{arn}:database::"),
            "ERP_USER": arns["erp"].apply(lambda arn: f"{arn}:user::"),
            "ERP_PASSWORD": arns["erp"].apply(lambda arn: f"{arn}:password::"),
            "DJANGO_SECRET_KEY": arns["django-secret-key"],
            "DATABASE_URL": arns["database-url"],
            "STRIPE_API_KEY": arns["stripe"].apply(lambda arn: f"{arn}:api_key::"),
            "STRIPE_WEBHOOK_SECRET": arns["stripe"].apply(lambda arn: f"{arn}:webhook_secret::"),
        }
        self.register_outputs({"secret_arns": self.secret_arns})
