"""Nothing forwards. Backwards (rolling back to Wagtail's own image and document models),
Wagtail's tables become a copy of the store media tables first, uploads made since 0005
included, so that the logo and favicon keys 0006 puts back find every image they point at."""

from django.db import migrations

from storefleet.brand.migrations._media_copy import to_wagtail_models


class Migration(migrations.Migration):
    dependencies = [
        ("brand", "0006_brandsettings_store_images"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, to_wagtail_models)]
