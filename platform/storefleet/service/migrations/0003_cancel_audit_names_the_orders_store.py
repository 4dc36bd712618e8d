"""Cancels that agents recorded before the audit named a store (it was left empty for every
cancel) get the store of the web order they cancelled: the console lists an entry without a
store to every agent of the company, which is right only for a sale entered in the ERP."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    ServiceAction = apps.get_model("service", "ServiceAction")
    Order = apps.get_model("ordering", "Order")
    store = Order.objects.filter(company=OuterRef("company"), number=OuterRef("target")).values(
        "store_id"
    )[:1]
    ServiceAction.objects.filter(action="order_cancel", store__isnull=True).update(
        store_id=Subquery(store)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_service_agents_group_per_existing_store"),
        ("ordering", "0003_salerecord"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
