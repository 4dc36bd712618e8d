"""Media on S3 in production: each store's files in its own bucket (made by its Pulumi stack,
``infra/aws/store``), served by its CloudFront distribution at ``https://<host>/media/…``.

A file named ``stores/<slug>/<path>`` is the object ``media/<path>`` in the bucket
``STOREFLEET_MEDIA_BUCKET_TEMPLATE.format(slug=slug)``; any other name (files no store owns)
goes to the shared bucket ``STOREFLEET_SHARED_MEDIA_BUCKET`` under ``media/``, served by the
platform's static-files distribution."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage

STORE_NAME = re.compile(r"^stores/(?P<slug>[a-z][a-z0-9-]{0,38}[a-z0-9])/(?P<rest>.+)$")


def _store_host(slug: str) -> str | None:
    from storefleet.tenants.selectors import store_host_map

    return next((s.hostname for s in store_host_map().values() if s.slug == slug), None)


@deconstructible
class StoreMediaStorage(Storage):
    """Routes each name to the right bucket; every bucket is private, so nothing is public-read
    (``default_acl=None``, no signed URLs: CloudFront reads through origin access control)."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self._buckets: dict[str, S3Storage] = {}

    def _s3(self, bucket: str, custom_domain: str | None) -> S3Storage:
        key = f"{bucket}@{custom_domain}"
        if key not in self._buckets:
            self._buckets[key] = S3Storage(
                bucket_name=bucket,
                location="media",
                custom_domain=custom_domain,
                default_acl=None,
                querystring_auth=False,
                file_overwrite=False,
                endpoint_url=getattr(settings, "STOREFLEET_AWS_ENDPOINT_URL", None) or None,
                region_name=getattr(settings, "AWS_S3_REGION_NAME", None),
                **self.options,
            )
        return self._buckets[key]

    def route(self, name: str) -> tuple[S3Storage, str, str]:
        """(storage, key inside it, the prefix that makes it a name again)."""
        match = STORE_NAME.match(name.replace("\\", "/"))
        if match:
            slug = match["slug"]
            bucket = str(getattr(settings, "STOREFLEET_MEDIA_BUCKET_TEMPLATE", "")).format(
                slug=slug
            )
            return self._s3(bucket, _store_host(slug)), match["rest"], f"stores/{slug}/"
        return (
            self._s3(
                str(getattr(settings, "STOREFLEET_SHARED_MEDIA_BUCKET", "")),
                getattr(settings, "STOREFLEET_SHARED_MEDIA_DOMAIN", None) or None,
            ),
            name,
            "",
        )

    def _open(self, name: str, mode: str = "rb") -> Any:
        storage, key, _prefix = self.route(name)
        return storage.open(key, mode)

    def _save(self, name: str, content: Any) -> str:
        storage, key, prefix = self.route(name)
        return prefix + storage.save(key, content)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        storage, key, prefix = self.route(name)
        # The field's limit is on the whole name, prefix included.
        limit = max_length - len(prefix) if max_length is not None else None
        return prefix + storage.get_available_name(key, max_length=limit)

    def delete(self, name: str) -> None:
        storage, key, _prefix = self.route(name)
        storage.delete(key)

    def exists(self, name: str) -> bool:
        storage, key, _prefix = self.route(name)
        return storage.exists(key)

    def size(self, name: str) -> int:
        storage, key, _prefix = self.route(name)
        return storage.size(key)

    def url(self, name: str | None) -> str:
        storage, key, _prefix = self.route(name or "")
        return storage.url(key)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        storage, key, _prefix = self.route(path)
        return storage.listdir(key)

    def get_modified_time(self, name: str) -> Any:
        storage, key, _prefix = self.route(name)
        return storage.get_modified_time(key)
