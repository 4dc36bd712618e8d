"""Jinja filters for the store files: `quoted` writes a value as a TOML/YAML double-quoted
string (JSON's escaping, which both formats accept) but keeps letters like ß readable.

Characters neither format allows raw in a quoted string (controls, DEL, lone surrogates,
non-characters) are written as \\uXXXX or \\UXXXXXXXX escapes, which both read back."""

import json

from jinja2.ext import Extension


def _escape(ch):
    if ch.isprintable() or ch in "\t":
        return ch
    code = ord(ch)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def quoted(value):
    return "".join(_escape(ch) for ch in json.dumps(str(value), ensure_ascii=False))


class QuotedExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["quoted"] = quoted
