"""What this deployment serves, as a short digest: part of every cached page's key, so a release
that changes a template, a translation, the storefront's code or its static files is never
answered with pages a previous release rendered (they would otherwise live up to their TTL,
an hour for anonymous pages).

``STOREFLEET_RELEASE`` (an image tag or commit, where the deployment knows one) is taken as it
is; without it, the digest is made once per process from the package's files."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# What a page is rendered from: code, templates, compiled catalogues, the storefront's assets.
RENDERED_FROM = (".py", ".html", ".txt", ".mo", ".css", ".js", ".svg")


@functools.cache
def release() -> str:
    declared = os.environ.get("STOREFLEET_RELEASE", "").strip()
    if declared:
        return hashlib.blake2b(declared.encode(), digest_size=6).hexdigest()
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in RENDERED_FROM and "__pycache__" not in path.parts and path.is_file():
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
