"""Check a regional manager's answers before anything is written.

Runs in cookiecutter's context (its own Python process, Django not set up). The colours are
checked by the platform's own rule, loaded from the repository the template lives in
(storefleet/brand/colours.py: every pair of colours the storefront draws). On a bad answer it prints one line per problem, each starting with
"invalid answer:", and exits 1; cookiecutter then deletes the half-made folder.
"""

import importlib.util
import json
import re
import sys
from pathlib import Path

ANSWERS = json.loads({{ cookiecutter | jsonify | jsonify }})

# ISO 4217 (active codes) and ISO 3166-1 alpha-2.
CURRENCIES = set(
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR "
    "KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK "
    "MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR "
    "SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS "
    "UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG".split()
)
COUNTRIES = set(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
    "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW "
    "GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
    "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV "
    "MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG "
    "TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM "
    "ZW".split()
)
LANGUAGES = {"en", "de", "fr", "es", "ja"}  # the platform's LANGUAGES setting

# Patterns are matched with fullmatch: "$" would accept a trailing newline.
SLUG = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
HEX = re.compile(r"#[0-9A-Fa-f]{6}")
WAREHOUSE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,19}")
CATEGORY = re.compile(r"[A-Z]{2,5}")
SKU = re.compile(r"[A-Z0-9][A-Z0-9._-]{1,39}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CUSTOMER_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def platform_colours():
    """storefleet.brand.colours, by file: importing the storefleet package would start Celery."""
    path = Path(ANSWERS["_repo_dir"]).resolve().parents[1] / "platform/storefleet/brand/colours.py"
    spec = importlib.util.spec_from_file_location("storefleet_brand_colours", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split(value):
    return [item.strip() for item in value.split(",") if item.strip()]


def problems(answers):
    found = []

    def need(ok, message):
        if not ok:
            found.append(message)

    name = answers["brand_name"].strip()
    need(0 < len(name) <= 120, "brand_name: give the brand's name (at most 120 characters).")
    need(
        bool(SLUG.fullmatch(answers["slug"])),
        f"slug: '{answers['slug']}' must be 2-40 lower-case letters, digits or hyphens, start "
        "with a letter and not end with a hyphen (it becomes the folder brands/<slug>/).",
    )
    hostname = answers["hostname"]
    labels = hostname.split(".")
    need(
        len(hostname) <= 253 and len(labels) >= 2 and all(LABEL.fullmatch(x) for x in labels),
        f"hostname: '{hostname}' is not a valid host name; use lower-case labels separated by "
        "dots, e.g. acme.localhost or shop.acme.example.",
    )
    need(bool(answers["region"].strip()), "region: name the sales region, e.g. Europe.")
    languages = split(answers["languages"])
    unknown = [code for code in languages if code not in LANGUAGES]
    need(
        bool(languages) and not unknown,
        f"languages: '{answers['languages']}' must be a comma-separated list of "
        f"{', '.join(sorted(LANGUAGES))}; the first is the store's default language.",
    )
    need(
        answers["currency"] in CURRENCIES,
        f"currency: '{answers['currency']}' is not an ISO 4217 code; use three capitals, "
        "e.g. EUR or USD.",
    )
    need(
        answers["country"] in COUNTRIES,
        f"country: '{answers['country']}' is not an ISO 3166 country code; use two capitals, "
        "e.g. DE or US.",
    )
    need(
        bool(WAREHOUSE.fullmatch(answers["erp_warehouse"])),
        f"erp_warehouse: '{answers['erp_warehouse']}' is not an ERP warehouse code "
        "(capitals, digits and hyphens, e.g. WH-EU).",
    )
    need(bool(answers["erp_price_list"].strip()), "erp_price_list: name the ERP price list.")
    assortment = split(answers["assortment"])
    need(
        bool(assortment) and all(CATEGORY.fullmatch(code) for code in assortment),
        f"assortment: '{answers['assortment']}' must be a comma-separated list of ERP product "
        "category codes, e.g. FAS,BRG,SEA.",
    )
    skus = split(answers["featured_skus"])
    need(
        1 <= len(skus) <= 8 and all(SKU.fullmatch(sku) for sku in skus),
        f"featured_skus: '{answers['featured_skus']}' must list 1 to 8 ERP SKUs separated by "
        "commas, e.g. FAS-1001,BRG-1001.",
    )
    for field in ("primary_colour", "accent_colour", "dark_colour", "light_colour"):
        colour = answers[field]
        if not HEX.fullmatch(colour):
            found.append(f"{field}: '{colour}' is not a colour; write # and six hex digits.")
    for failure in platform_colours().theme_contrast_failures(
        primary=answers["primary_colour"],
        accent=answers["accent_colour"],
        dark=answers["dark_colour"],
        light=answers["light_colour"],
    ):
        found.append(f"{failure.colour}_colour: {failure.message}")
    need(bool(answers["legal_name"].strip()), "legal_name: give the company's legal name.")
    need(bool(answers["address"].strip()), "address: give the postal address (lines split by ;).")
    need(
        bool(EMAIL.fullmatch(answers["email"])),
        f"email: '{answers['email']}' is not an e-mail address.",
    )
    # .get: a template may not ask whom it serves (its store file then declares nobody).
    countries = split(answers.get("customer_countries", "XX"))
    need(
        # Derived from the country by default: a refused country is reported once, as itself.
        "customer_countries" not in answers
        or countries == [answers["country"]]
        or (bool(countries) and all(code in COUNTRIES for code in countries)),
        f"customer_countries: '{answers.get('customer_countries', '')}' must be a "
        "comma-separated list of ISO 3166 country codes, e.g. US,CA.",
    )
    need(
        all(CUSTOMER_CODE.fullmatch(code) for code in split(answers.get("customer_codes", ""))),
        f"customer_codes: '{answers.get('customer_codes', '')}' must be a comma-separated "
        "list of ERP customer codes, e.g. C-1006,C-1008.",
    )
    return found


if __name__ == "__main__":
    errors = problems(ANSWERS)
    for error in errors:
        print(f"invalid answer: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)
