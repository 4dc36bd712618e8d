"""What the translation workflow records beside Wagtail's pages and locales."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, Revision

from storefleet.tenants.models import Store


class TranslationSync(models.Model):
    """The source revision a translated page was last synced from: what changed in the source
    since is the difference between it and the source's live revision.

    ``copied_revision`` is the translation's own revision right after it was copied: while it
    is still the latest one, nobody has edited the copy (it counts as untranslated)."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="translation_sync")
    source_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    copied_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField()
    synced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("translation sync")

    def __str__(self) -> str:
        return f"{self.page_id} synced from revision {self.source_revision_id}"


class TranslatorGroup(models.Model):
    """The group of a store's translators into one language: page permissions on that
    language's tree of the store, and nothing of its other languages."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    locale = models.ForeignKey(Locale, on_delete=models.CASCADE, related_name="+")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="translator_of")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "locale"], name="translator_group_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.group.name
