"""Moving an installation's images and documents between Wagtail's models and ours (used by
migrations 0005, forwards, and 0007, backwards; Django's loader skips modules named ``_…``).

One table becomes a copy of the other, row for row and with the same ids, so foreign keys and
the ids in StreamField JSON and rich text stay valid. Files are not touched: each row keeps the
name its file is stored under. Tags are copied; the reference index (Wagtail's "usage") and the
search index move to the target model's content type. Raw ``INSERT … SELECT``: an ORM save
would reset ``created_at`` (auto_now_add) and could open every image file for its size."""

from django.core.management.color import no_style

# (app label, model) pairs in copy order: an image before its renditions.
WAGTAIL = (("wagtailimages", "Image"), ("wagtailimages", "Rendition"), ("wagtaildocs", "Document"))
STORE = (("brand", "StoreImage"), ("brand", "StoreRendition"), ("brand", "StoreDocument"))
# The models that are content (tagged, indexed, referenced); renditions are not.
CONTENT = (0, 2)


def to_store_models(apps, schema_editor):
    _mirror(apps, schema_editor, source=WAGTAIL, target=STORE)


def to_wagtail_models(apps, schema_editor):
    _mirror(apps, schema_editor, source=STORE, target=WAGTAIL)


def _mirror(apps, schema_editor, *, source, target):
    sources = [apps.get_model(*label) for label in source]
    targets = [apps.get_model(*label) for label in target]
    quote = schema_editor.quote_name
    for model in reversed(targets):  # renditions before their images
        schema_editor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
    for from_model, to_model in zip(sources, targets, strict=True):
        columns = ", ".join(quote(field.column) for field in to_model._meta.concrete_fields)
        schema_editor.execute(
            f"INSERT INTO {quote(to_model._meta.db_table)} ({columns}) "
            f"SELECT {columns} FROM {quote(from_model._meta.db_table)}"
        )
    # PostgreSQL: the next id comes after the copied ones (SQLite's AUTOINCREMENT follows by
    # itself, and Django returns no statement for it).
    for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), targets):
        schema_editor.execute(statement)

    ContentType = apps.get_model("contenttypes", "ContentType")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    IndexEntry = apps.get_model("wagtailsearch", "IndexEntry")
    for index in CONTENT:
        old, _ = ContentType.objects.get_or_create(
            app_label=sources[index]._meta.app_label, model=sources[index]._meta.model_name
        )
        new, _ = ContentType.objects.get_or_create(
            app_label=targets[index]._meta.app_label, model=targets[index]._meta.model_name
        )
        TaggedItem.objects.filter(content_type=new).delete()
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=new, object_id=object_id, tag_id=tag_id)
            for object_id, tag_id in TaggedItem.objects.filter(content_type=old).values_list(
                "object_id", "tag_id"
            )
        )
        ReferenceIndex.objects.filter(to_content_type=new).delete()
        ReferenceIndex.objects.filter(base_content_type=new).delete()
        ReferenceIndex.objects.filter(to_content_type=old).update(to_content_type=new)
        ReferenceIndex.objects.filter(base_content_type=old).update(
            base_content_type=new, content_type=new
        )
        IndexEntry.objects.filter(content_type=new).delete()
        IndexEntry.objects.filter(content_type=old).update(content_type=new)
