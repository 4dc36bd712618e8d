"""The shared platform program (``infra/aws/platform``) under Pulumi's mocks."""

from __future__ import annotations

import json

import pytest
from components.stacks import platform_stack

from tests.infra.checks import (
    assert_buckets_private_and_encrypted,
    assert_distributions_https_only_with_oac,
    assert_every_taggable_resource_tagged,
)
from tests.infra.pulumi_support import Deployment, run_program


@pytest.fixture
def deployment(platform_config) -> Deployment:
    return run_program(
        platform_stack, project="storefleet-platform", stack="test", config=platform_config
    )


def check_web_worker_and_beat(tasks: list) -> None:
    """The loops over task definitions check something: there are the web's, the worker's and
    the beat's."""
    assert sorted(task.name for task in tasks) == [
        "platform-beat",
        "platform-web",
        "platform-worker",
    ]


def test_static_bucket_private_and_distribution_https_only(deployment):
    assert assert_buckets_private_and_encrypted(deployment) == 1
    assert assert_distributions_https_only_with_oac(deployment) == 1
    (bucket,) = deployment.of_type("aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == "acme-storefleet-test-static"


def test_every_resource_tagged(deployment):
    tagged = assert_every_taggable_resource_tagged(
        deployment, Project="storefleet", Environment="test"
    )
    assert tagged == 38  # (the Stripe keys' secret is the 36th; the beat's task and service)


def test_database_and_redis_private_and_encrypted(deployment):
    (database,) = deployment.of_type("aws:rds/instance:Instance")
    assert database.inputs["storageEncrypted"] is True
    assert database.inputs["publiclyAccessible"] is False
    assert database.inputs["deletionProtection"] is True
    assert database.inputs["instanceClass"] == "db.t4g.medium"
    assert database.inputs["allocatedStorage"] == 50
    (redis,) = deployment.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert redis.inputs["atRestEncryptionEnabled"] is True
    assert redis.inputs["transitEncryptionEnabled"] is True
    app_group = "platform-app-id"
    for name, port in (("platform-db-sg", 5432), ("platform-cache-sg", 6379)):
        group = deployment.named("aws:ec2/securityGroup:SecurityGroup", name)
        assert group.inputs["ingress"] == [
            {"protocol": "tcp", "fromPort": port, "toPort": port, "securityGroups": [app_group]}
        ]


def test_secrets_in_secrets_manager_never_in_task_definitions(deployment, platform_config):
    # Pulumi keeps them marked secret all the way to the provider (encrypted in the state).
    secret_marker = "4dabf18193072939515e22adb298388d"
    versions = {
        r.name: r.inputs["secretString"]["value"]
        for r in deployment.of_type("aws:secretsmanager/secretVersion:SecretVersion")
        if secret_marker in r.inputs["secretString"]
    }
    assert len(versions) == 4
    assert json.loads(versions["platform-stripe"]) == {
        "api_key": "sk_test_stripe-key-for-tests",
        "webhook_secret": "whsec_stripe-webhook-secret-for-tests",
    }
    assert json.loads(versions["platform-erp"]) == {
        "url": "https://erp.acme.example/",
        "database": "acme",
        "user": "storefleet",
        "password": "erp-password-for-tests",
    }
    assert versions["platform-django-secret-key"] == "django-secret-key-for-tests"
    assert versions["platform-database-url"] == (
        "postgres://storefleet:db-password-for-tests@platform-db-postgres.rds.amazonaws.com"
        ":5432/storefleet"
    )
    tasks = deployment.of_type("aws:ecs/taskDefinition:TaskDefinition")
    check_web_worker_and_beat(tasks)
    for task in tasks:
        text = task.inputs["containerDefinitions"]
        for secret in (
            "erpPassword",
            "dbPassword",
            "djangoSecretKey",
            "stripeApiKey",
            "stripeWebhookSecret",
        ):
            assert platform_config[secret] not in text
        (container,) = json.loads(text)
        secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
        assert secrets == {
            "DATABASE_URL": "arn:aws:mock:::secret/platform-database-url",
            "DJANGO_SECRET_KEY": "arn:aws:mock:::secret/platform-django-secret-key",
            "ERP_DATABASE": "arn:aws:mock:::secret/platform-erp:database::",
            "ERP_PASSWORD": "arn:aws:mock:::secret/platform-erp:password::",
            "ERP_URL": "arn:aws:mock:::secret/platform-erp:url::",
            "ERP_USER": "arn:aws:mock:::secret/platform-erp:user::",
            "STRIPE_API_KEY": "arn:aws:mock:::secret/platform-stripe:api_key::",
            "STRIPE_WEBHOOK_SECRET": "arn:aws:mock:::secret/platform-stripe:webhook_secret::",
        }
        environment = {e["name"]: e["value"] for e in container["environment"]}
        assert environment["DJANGO_SETTINGS_MODULE"] == "storefleet.settings.production"
        assert environment["STOREFLEET_MEDIA_BUCKET_TEMPLATE"] == (
            "acme-storefleet-test-{slug}-media"
        )


def test_the_containers_get_every_variable_production_requires(deployment):
    """Production refuses to start without a required variable: the task definitions must
    give all of them (secrets from Secrets Manager, here stood in for by sample values)."""
    from tests.core.test_settings import PRODUCTION_ENV, _manage

    tasks = deployment.of_type("aws:ecs/taskDefinition:TaskDefinition")
    check_web_worker_and_beat(tasks)
    for task in tasks:
        (container,) = json.loads(task.inputs["containerDefinitions"])
        env = {e["name"]: e["value"] for e in container["environment"]}
        env |= {s["name"]: PRODUCTION_ENV.get(s["name"], "x" * 50) for s in container["secrets"]}
        result = _manage("check", env=env)
        assert result.returncode == 0, result.stderr[-2000:]


def test_web_worker_and_beat_on_fargate_and_the_web_behind_https(deployment):
    services = {s.name: s.inputs for s in deployment.of_type("aws:ecs/service:Service")}
    assert sorted(services) == ["platform-beat", "platform-web", "platform-worker"]
    for service in services.values():
        assert service["launchType"] == "FARGATE"
        assert service["networkConfiguration"] == {
            "subnets": ["platform-private-eu-central-1a-id", "platform-private-eu-central-1b-id"],
            "securityGroups": ["platform-app-id"],
            "assignPublicIp": False,
        }
    assert services["platform-web"]["loadBalancers"] == [
        {
            "targetGroupArn": "arn:aws:mock:::targetgroup/platform-web",
            "containerName": "web",
            "containerPort": 8000,
        }
    ]
    assert services["platform-worker"].get("loadBalancers", []) == []
    assert services["platform-beat"].get("loadBalancers", []) == []
    listeners = {r.name: r.inputs for r in deployment.of_type("aws:lb/listener:Listener")}
    assert listeners["platform-https"]["protocol"] == "HTTPS"
    assert listeners["platform-https"]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners["platform-http"]["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"


def test_the_schedule_runs_in_production_from_one_beat(deployment):
    """Without a beat nothing of CELERY_BEAT_SCHEDULE runs (the ERP mirrors, the change watch
    that keeps buyers' pages, the outbox sweep that sends again what a lost task left): one beat
    task, never two, not even during a deployment; the worker runs no beat of its own."""
    services = {s.name: s.inputs for s in deployment.of_type("aws:ecs/service:Service")}
    beat = services["platform-beat"]
    assert beat["desiredCount"] == 1
    assert beat["deploymentMaximumPercent"] == 100
    assert beat["deploymentMinimumHealthyPercent"] == 0
    commands = {
        task.name: json.loads(task.inputs["containerDefinitions"])[0]["command"]
        for task in deployment.of_type("aws:ecs/taskDefinition:TaskDefinition")
    }
    assert commands["platform-beat"][:4] == ["celery", "-A", "storefleet", "beat"]
    assert commands["platform-worker"][:4] == ["celery", "-A", "storefleet", "worker"]
    assert not {"-B", "--beat"} & set(commands["platform-worker"])


def test_a_web_container_serves_with_two_workers(deployment):
    """gunicorn's default is one sync worker: a buyer's page waiting on the ERP would hold the
    container's every other request. Two, as bench-storefront and bench-ordering measure it."""
    (web,) = [
        json.loads(task.inputs["containerDefinitions"])[0]
        for task in deployment.of_type("aws:ecs/taskDefinition:TaskDefinition")
        if task.name == "platform-web"
    ]
    command = web["command"]
    assert command[:2] == ["gunicorn", "storefleet.wsgi"]
    assert command[command.index("--workers") + 1] == "2"
