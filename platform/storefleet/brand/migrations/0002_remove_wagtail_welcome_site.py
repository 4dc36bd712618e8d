"""Remove the placeholder site and "Welcome to Wagtail" page that Wagtail's own migrations
create. Storefleet has no default site on purpose: a host that is not a store must get a 404,
never a fallback to some brand's storefront."""

from django.db import migrations


def remove_welcome_site(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")
    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    welcome = Page.objects.filter(depth=2, slug="home", content_type=page_type, numchild=0)
    Site.objects.filter(root_page__in=welcome).delete()
    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    if welcome.exists():
        welcome.delete()
        root = Page.objects.get(depth=1)
        root.numchild = Page.objects.filter(depth=2).count()
        root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("brand", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(remove_welcome_site, migrations.RunPython.noop)]
