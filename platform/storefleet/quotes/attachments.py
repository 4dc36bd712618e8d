"""The file a buyer attaches to a request for quote: what it is is read from its first bytes
(the name's extension is only believed when the contents agree), its size is capped, and it is
served only as a download, never rendered by the browser."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _

from storefleet.errors import ApplicationError

from .models import QuoteAttachment

MAX_BYTES = 8 * 1024 * 1024
SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class FileKind:
    extensions: tuple[str, ...]
    content_type: str
    label: str


PDF = FileKind(("pdf",), "application/pdf", "PDF")
PNG = FileKind(("png",), "image/png", "PNG")
JPEG = FileKind(("jpg", "jpeg"), "image/jpeg", "JPEG")
DXF = FileKind(("dxf",), "image/vnd.dxf", "DXF")
STEP = FileKind(("step", "stp"), "model/step", "STEP")
KINDS = (PDF, PNG, JPEG, DXF, STEP)
BY_EXTENSION = {extension: kind for kind in KINDS for extension in kind.extensions}
ACCEPT = ",".join(f".{extension}" for extension in BY_EXTENSION)


@dataclass(frozen=True, slots=True)
class Upload:
    """An attachment read and judged: safe to keep and to hand back."""

    name: str
    kind: FileKind
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _sniff(head: bytes) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"AutoCAD Binary DXF\r\n\x1a\x00"):
        return DXF
    if b"\x00" in head:
        return None  # the text formats below never hold a NUL
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"ISO-10303-21;"):
        return STEP
    # An ASCII DXF is group code / value pairs: code 0, SECTION first (after 999 comments).
    lines = [line.strip() for line in text.splitlines()[:12]]
    while len(lines) >= 2 and lines[0] == b"999":
        lines = lines[2:]
    if lines[:2] == [b"0", b"SECTION"]:
        return DXF
    return None


def _clean_name(name: str) -> str:
    """The file's name as it may be shown and sent back: no folders, no control characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*;]+', "_", name).strip(" .")
    return name[-100:] or "attachment"


def too_large_message(name: str = "") -> str:
    if not name:
        return _(
            "Attach a file of at most %(size)s MB: yours is larger. Reduce it (fewer pages, "
            "lower resolution) and send the request again."
        ) % {"size": MAX_BYTES // (1024 * 1024)}
    return _(
        "Attach a file of at most %(size)s MB: %(name)s is larger. Reduce it (fewer pages, "
        "lower resolution) and attach it again."
    ) % {"size": MAX_BYTES // (1024 * 1024), "name": name}


def upload_read(*, name: str, size: int | None, chunks: object) -> Upload:
    """Judge an uploaded file (its name as the browser sent it, the size it claims and its
    chunks): an allowed kind by extension and by contents, at most ``MAX_BYTES``. Anything
    else is refused with what to do."""
    clean = _clean_name(name)
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    wanted = BY_EXTENSION.get(extension)
    allowed = ", ".join(kind.label for kind in KINDS)
    if wanted is None:
        raise ApplicationError(
            _("Attach a drawing or a spec as %(kinds)s: %(name)s is none of these.")
            % {"kinds": allowed, "name": clean},
            field="attachment",
        )
    limit = too_large_message(clean)
    if size is not None and size > MAX_BYTES:
        raise ApplicationError(limit, field="attachment")
    data = bytearray()
    for chunk in chunks:  # type: ignore[attr-defined]
        data += chunk
        if len(data) > MAX_BYTES:
            raise ApplicationError(limit, field="attachment")
    if not data:
        raise ApplicationError(
            _("%(name)s is empty: attach the file again.") % {"name": clean}, field="attachment"
        )
    found = _sniff(bytes(data[:SNIFF_BYTES]))
    if found is not wanted:
        raise ApplicationError(
            _(
                "%(name)s is not a %(kind)s file inside, whatever its name says: attach the "
                "drawing or spec itself as %(kinds)s."
            )
            % {"name": clean, "kind": wanted.label, "kinds": allowed},
            field="attachment",
        )
    return Upload(name=clean, kind=wanted, data=bytes(data))


def attachment_response(attachment: QuoteAttachment) -> HttpResponse:
    """The file as a download: the sniffed type, never rendered inline, never sniffed again by
    the browser, scripts off should it be opened anyway, and not kept by any cache."""
    response = HttpResponse(bytes(attachment.data), content_type=attachment.content_type)
    ascii_name = attachment.name.encode("ascii", "replace").decode().replace("?", "_")
    quoted = urllib.parse.quote(attachment.name, safe="")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(attachment.size)
    return response
