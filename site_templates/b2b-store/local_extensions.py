"""Jinja filters for the store files: `quoted` writes a value as a TOML/YAML double-quoted
string (JSON's escaping, which both formats accept) but keeps letters like ß readable."""

import json

from jinja2.ext import Extension


class QuotedExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["quoted"] = lambda value: json.dumps(value, ensure_ascii=False)
