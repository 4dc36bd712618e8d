"""Every store that exists already gets its "<Store> service agents" group, as ``store_create``
gives a new one (the console's permission is made here: post_migrate runs too late)."""

from django.db import migrations


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Store = apps.get_model("tenants", "Store")
    ServiceTeam = apps.get_model("service", "ServiceTeam")
    content_type, _ = ContentType.objects.get_or_create(app_label="service", model="serviceaction")
    console, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="access_console",
        defaults={"name": "Can use the service agents' console"},
    )
    admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    for store in Store.objects.all():
        if ServiceTeam.objects.filter(store=store).exists():
            continue
        group, _ = Group.objects.get_or_create(name=f"{store.name} service agents")
        group.permissions.add(*[p for p in (admin, console) if p is not None])
        ServiceTeam.objects.create(store=store, group=group)


def backwards(apps, schema_editor):
    ServiceTeam = apps.get_model("service", "ServiceTeam")
    Group = apps.get_model("auth", "Group")
    group_ids = list(ServiceTeam.objects.values_list("group_id", flat=True))
    ServiceTeam.objects.all().delete()
    Group.objects.filter(id__in=group_ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0001_service_teams_actions_and_acting_sessions"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
