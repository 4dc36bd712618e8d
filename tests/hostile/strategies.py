"""Hypothesis strategies for what an attacker or a careless user types, pastes or uploads.

Each strategy mixes hand-picked nasties (the ones that broke something once) with generated
text, so a small run still tries every known trap and a large one explores around them."""

from __future__ import annotations

from hypothesis import strategies as st

TEMPLATE_SYNTAX = (
    "{{ 7*7 }}",
    "{{7*7}}",
    "{{ cookiecutter }}",
    "{{ self.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(10) %}x{% endfor %}",
    "{% raw %}",
    "{# comment #}",
    "{{",
    "}}",
    "{%",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{ settings.SECRET_KEY }}",
    "{{ request }}",
)
PATHS = (
    "..",
    "../",
    "../../etc/passwd",
    "..\\..\\windows",
    "/etc/passwd",
    "./",
    "~",
    "a/../../b",
    "%2e%2e%2f",
    "....//",
    "brands/../../x",
)
CONTROL = (
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\x7f",
    "\x0b\x0c",
)
MARKUP = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "'; DROP TABLE accounts_company; --",
    '" onmouseover="x',
    "</textarea>",
)
NUMBERS = (
    "999999999999.9999",
    "1e-20",
    "1e20",
    "1e309",
    "-1",
    "0",
    "-0",
    "0.0000001",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1,5",
    "1.5.5",
    "\uff11\uff12",  # full-width digits
    "\u0663",  # Arabic-Indic three
    "0x10",
    "1_000",
    " 5 ",
    "+5",
    "5e0",
    "",
    "9" * 40,
)


def hostile_text(*, max_size: int = 300) -> st.SearchStrategy[str]:
    """Any text a field might receive: template syntax, traversal, control characters,
    markup, numbers, very long and empty values, and generated unicode."""
    known = st.sampled_from(TEMPLATE_SYNTAX + PATHS + CONTROL + MARKUP + NUMBERS)
    long = st.sampled_from(("A" * 1000, "é" * 5000, "x" * 70_000, " " * 200))
    generated = st.text(max_size=max_size)
    mixed = st.tuples(st.text(max_size=20), known, st.text(max_size=20)).map("".join)
    return st.one_of(known, long, generated, mixed)


def hostile_number(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Numbers as text: huge, tiny, negative, NaN/Infinity, locale and unicode digits, junk."""
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.text(alphabet="0123456789.,-+eE ", max_size=max_size),
    )


def hostile_id() -> st.SearchStrategy[str]:
    """What an id field in a form or URL might receive instead of a real id."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(("", "0", "-1", "1.5", "null", "None", "[]", "{}", "1 OR 1=1", "%00")),
        hostile_text(max_size=40),
    )


def hostile_bytes(*, max_size: int = 4000) -> st.SearchStrategy[bytes]:
    """File contents: binary junk, wrong encodings, odd line endings, NUL bytes, BOMs."""
    return st.one_of(
        st.binary(max_size=max_size),
        st.text(max_size=max_size).map(lambda t: t.encode("utf-16")),
        st.text(max_size=max_size).map(lambda t: t.encode("utf-8")),
        st.sampled_from(
            (
                b"",
                b"\xff\xfe\x00\x00",
                b"\x89PNG\r\n\x1a\n\x00\x00",
                b"sku,quantity\r",
                b"sku,quantity",
                b"sku,quantity\rFAS-1001,2\rBRG-1001,3",
                b"\x00" * 100,
                b"sku,quantity\n" + b"A" * 200_000 + b",1\n",
                "sku;quantité\nFAS-1001;2\n".encode("latin-1"),
            )
        ),
    )
