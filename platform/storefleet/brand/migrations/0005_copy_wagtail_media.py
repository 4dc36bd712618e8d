"""Copy an installation's Wagtail images (with renditions and tags) and documents into the
store media models, keeping their ids and file names: pages, settings and links that point at
them keep working, files stay where they are, and only new uploads go under ``stores/<slug>/``.
A new installation has nothing to copy. Rolling back copies the other way (0007)."""

from django.db import migrations

from storefleet.brand.migrations._media_copy import to_store_models


class Migration(migrations.Migration):
    dependencies = [
        ("brand", "0004_store_media_models"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailsearch", "0010_add_text_fields"),
        ("wagtailcore", "0098_apitoken"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(to_store_models, migrations.RunPython.noop)]
