"""The brand's logo and favicon point at the store images (same ids, copied by 0005). A
migration of its own: on PostgreSQL a table cannot be altered in the transaction that just
wrote rows it references (pending deferred constraint checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("brand", "0005_copy_wagtail_media"),
    ]

    operations = [
        migrations.AlterField(
            model_name='brandsettings',
            name='favicon',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='brand.storeimage'),
        ),
        migrations.AlterField(
            model_name='brandsettings',
            name='logo',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='brand.storeimage'),
        ),
    ]
