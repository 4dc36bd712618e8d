"""A language may be served on a host of its own (store.toml's ``[store.hosts]``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0006_store_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="language_hosts",
            field=models.JSONField(blank=True, default=dict, verbose_name="language hosts"),
        ),
    ]
