"""Images and documents for the demo stores, drawn here so the demo needs no downloads."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFont


def _font(size: int, *, bold: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)


def _hex(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def logo(text: str, colour: str, accent: str, *, mark: str) -> bytes:
    """A wordmark with a simple geometric mark, on a transparent background."""
    font = _font(64)
    width = int(font.getlength(text.upper())) + 150
    image = Image.new("RGBA", (width, 110), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if mark == "hex":
        points = [
            (55 + 42 * math.cos(math.radians(a)), 55 + 42 * math.sin(math.radians(a)))
            for a in range(30, 390, 60)
        ]
        draw.polygon(points, fill=_hex(colour))
        draw.ellipse((37, 37, 73, 73), fill=_hex(accent))
    else:
        draw.rounded_rectangle((12, 14, 98, 96), radius=22, fill=_hex(colour))
        for i in range(3):
            draw.arc((26, 28 + i * 14, 84, 64 + i * 14), 200, 340, fill=_hex(accent), width=7)
    draw.text((120, 18), text.upper(), font=font, fill=_hex(colour))
    return _png(image)


def hero(base: str, accent: str, *, seed: int, motif: str) -> bytes:
    """A dark, technical backdrop: machined plates and gears, or pipework and gauges."""
    rnd = random.Random(seed)
    width, height = 1600, 640
    image = Image.new("RGB", (width, height), _hex(base))
    draw = ImageDraw.Draw(image)
    r0, g0, b0 = _hex(base)
    for y in range(height):
        shade = 1 - y / height * 0.45
        draw.line([(0, y), (width, y)], fill=(int(r0 * shade), int(g0 * shade), int(b0 * shade)))
    steel = (150, 160, 172)
    if motif == "gears":
        for _ in range(7):
            cx, cy = rnd.randint(700, 1550), rnd.randint(60, 600)
            radius = rnd.randint(60, 170)
            teeth = rnd.randint(10, 18)
            pts = []
            for i in range(teeth * 2):
                angle = math.pi * i / teeth
                r = radius if i % 2 == 0 else radius * 0.86
                pts.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
            draw.polygon(pts, fill=steel, outline=(90, 98, 110))
            draw.ellipse(
                (cx - radius * 0.35, cy - radius * 0.35, cx + radius * 0.35, cy + radius * 0.35),
                fill=_hex(base),
            )
    else:
        for i in range(6):
            y = 80 + i * 95
            draw.rounded_rectangle((650, y, 1600, y + 38), radius=19, fill=steel)
            draw.rectangle(
                (650 + rnd.randint(80, 700), y - 10, 700 + rnd.randint(700, 800), y + 48),
                fill=(120, 130, 140),
            )
        for _ in range(3):
            cx, cy, r = rnd.randint(900, 1450), rnd.randint(120, 520), rnd.randint(60, 95)
            draw.ellipse(
                (cx - r, cy - r, cx + r, cy + r), fill=(235, 238, 240), outline=steel, width=10
            )
            angle = math.radians(rnd.randint(200, 330))
            draw.line(
                [(cx, cy), (cx + r * 0.8 * math.cos(angle), cy + r * 0.8 * math.sin(angle))],
                fill=_hex(accent),
                width=6,
            )
    draw.rectangle((0, height - 10, width, height), fill=_hex(accent))
    return _png(image, "JPEG")


def product(shape: str, colour: str, *, seed: int) -> bytes:
    """A catalogue-style product shot on a light background."""
    rnd = random.Random(seed)
    image = Image.new("RGB", (800, 600), (238, 241, 245))
    draw = ImageDraw.Draw(image)
    cx, cy = 400, 300
    metal, dark = (168, 176, 186), (96, 104, 116)
    if shape == "bolt":
        draw.rectangle((370, 210, 430, 520), fill=metal, outline=dark, width=3)
        for y in range(300, 520, 16):
            draw.line([(370, y), (430, y + 8)], fill=dark, width=2)
        pts = [
            (cx + 95 * math.cos(math.radians(a)), 180 + 40 * math.sin(math.radians(a)))
            for a in range(0, 360, 60)
        ]
        draw.polygon(pts, fill=metal, outline=dark)
    elif shape == "bearing":
        draw.ellipse((200, 100, 600, 500), fill=metal, outline=dark, width=4)
        draw.ellipse((290, 190, 510, 410), fill=(238, 241, 245), outline=dark, width=4)
        for i in range(12):
            a = math.radians(i * 30)
            bx, by = cx + 150 * math.cos(a), cy + 150 * math.sin(a)
            draw.ellipse((bx - 24, by - 24, bx + 24, by + 24), fill=(210, 214, 220), outline=dark)
    elif shape == "seal":
        draw.ellipse((190, 90, 610, 510), fill=(40, 40, 44))
        draw.ellipse((260, 160, 540, 440), fill=(238, 241, 245))
        draw.ellipse((300, 200, 500, 400), outline=_hex(colour), width=10)
    else:  # cylinder
        draw.rounded_rectangle((120, 240, 560, 360), radius=20, fill=metal, outline=dark, width=3)
        draw.rectangle((560, 280, 720, 320), fill=(210, 214, 220), outline=dark, width=3)
        draw.rectangle((180, 225, 230, 375), fill=_hex(colour))
        draw.rectangle((450, 225, 500, 375), fill=_hex(colour))
    draw.text((24, 560), f"#{rnd.randint(1000, 9999)}", font=_font(18, bold=False), fill=dark)
    return _png(image, "JPEG")


def pdf(title: str, lines: list[str]) -> bytes:
    """A minimal one-page PDF (text only): enough for a real download in the demo."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 20 Tf 72 760 Td (" + escape(title) + ") Tj ET"]
    y = 720
    for line in lines:
        body.append(f"BT /F1 11 Tf 72 {y} Td (" + escape(line) + ") Tj ET")
        y -= 18
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
