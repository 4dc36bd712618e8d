"""Seed Storefleet's reference ERP (Tryton 8.2) with a deterministic demo business.

Runs inside the ERP's own virtualenv (erpctl.py build calls it):

    python seed.py --config trytond.conf --database storefleet \
        --email admin@example.com --manifest seed_manifest.json

It activates the modules with trytond-admin (no prompt: --email and
TRYTONPASSFILE), then seeds in-process with proteus and writes a JSON manifest
that the tests read. Every identity (codes, names, quantities, prices) is
fixed; dates are relative to the day of the build, because Tryton checks them
against the real today (fiscal years, due dates, planned dates).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

MODULES = [
    "company",
    "party",
    "product",
    "currency",
    "country",
    "account",
    "account_invoice",
    "sale",
    "sale_price_list",
    "product_price_list",
    "sale_product_quantity",
    "sale_credit_limit",
    "account_credit_limit",
    "stock",
    "sale_stock_quantity",
    "account_payment",
    "sale_complaint",
    "sale_shipment_cost",
    # Leads and opportunities (storefleet.marketing: the CMS forms' leads).
    "sale_opportunity",
]
RANDOM_SEED = 20240917
# "Process Sale after": how long a confirmed sale can still be cancelled.
GRACE_MINUTES = 30
COMPANY_NAME = "Ferrum Industrial Components"

STARTED = time.monotonic()


def step(message: str) -> None:
    print(f"[seed {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def price(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- catalogue
# (code prefix, category name, unit, list price range, naming function)
def _fasteners(i, r):
    kinds = [
        ("Hex Bolt", "DIN 933 8.8 zinc plated"),
        ("Socket Cap Screw", "ISO 4762 12.9 black"),
        ("Hex Nut", "DIN 934 A2 stainless"),
        ("Washer", "DIN 125 A2 stainless"),
        ("Threaded Rod", "DIN 976 4.6 zinc, 1 m"),
        ("Countersunk Screw", "ISO 10642 A4 stainless"),
    ]
    kind, spec = kinds[i % len(kinds)]
    size = ["M5", "M6", "M8", "M10", "M12", "M16", "M20"][i % 7]
    length = [12, 16, 20, 25, 30, 40, 50, 60][(i // 2) % 8]
    if kind in ("Hex Nut", "Washer", "Threaded Rod"):
        return f"{kind} {size} {spec}"
    return f"{kind} {size}x{length} {spec}"


def _bearings(i, r):
    series = ["6000", "6200", "6300", "6800", "22200", "NU200", "7200", "3200"]
    base = series[i % len(series)]
    bore = i // len(series) + 2
    suffix = ["2RS", "ZZ", "C3", "E", "BECBP", "2RS C3"][i % 6]
    code = base[:-2] + f"{bore:02d}" if base.endswith("00") else base + str(bore)
    kind = (
        "Deep Groove Ball Bearing"
        if base[0] == "6"
        else (
            "Spherical Roller Bearing"
            if base.startswith("22")
            else (
                "Cylindrical Roller Bearing" if base.startswith("NU") else "Angular Contact Bearing"
            )
        )
    )
    return f"{kind} {code}-{suffix}"


def _seals(i, r):
    kinds = [
        "O-Ring NBR 70",
        "O-Ring FKM 75",
        "Radial Shaft Seal BA NBR",
        "Rod Seal PU",
        "V-Ring VA NBR",
        "Flat Gasket Klingersil C-4400",
    ]
    kind = kinds[i % len(kinds)]
    a = 8 + (i * 7) % 90
    b = 1.5 + (i % 5) * 0.5
    return f"{kind} {a}x{b:.1f}"


def _hydraulics(i, r):
    kinds = [
        "Hydraulic Hose 2SN",
        "Hydraulic Fitting DKOL",
        "Ball Valve 3-way",
        "Check Valve RHV",
        "Pressure Gauge 0-250 bar",
        "Gear Pump Group 2",
        "Hydraulic Cylinder CDT3",
        "Return Filter Element",
    ]
    kind = kinds[i % len(kinds)]
    dn = ["DN06", "DN08", "DN10", "DN12", "DN16", "DN20", "DN25"][i % 7]
    return f"{kind} {dn}"


def _pneumatics(i, r):
    kinds = [
        "Push-in Fitting",
        "Pneumatic Cylinder ISO 15552",
        "Solenoid Valve 5/2 24V DC",
        "PU Tubing",
        "Filter Regulator G1/4",
        "Quick Coupling DN7.2",
        "Silencer Sintered Bronze",
    ]
    kind = kinds[i % len(kinds)]
    size = ["4 mm", "6 mm", "8 mm", "10 mm", "12 mm", "32/100", "50/200"][i % 7]
    return f"{kind} {size}"


def _tools(i, r):
    kinds = [
        "Torque Wrench",
        "Hex Key Set",
        "Bearing Puller 3-arm",
        "Combination Spanner",
        "Cordless Impact Driver 18V",
        "Thread Tap Set HSS-E",
        "Digital Caliper 150 mm",
        "Grease Gun 500 cc",
    ]
    kind = kinds[i % len(kinds)]
    variant = ["", " Pro", " XL", " compact", " industrial"][i % 5]
    size = ["", " 10 mm", " 13 mm", " 17 mm", " 19 mm", " 24 mm"][i % 6]
    return f"{kind}{variant}{size}".strip()


def _transmission(i, r):
    kinds = [
        "Roller Chain ISO 606",
        "V-Belt SPZ",
        "Timing Belt HTD 8M",
        "Taper Lock Bush",
        "Chain Sprocket",
        "Jaw Coupling",
        "Gear Rack M2",
    ]
    kind = kinds[i % len(kinds)]
    size = ["08B-1", "10B-1", "12B-1", "1000", "1250", "1610", "2012", "25 teeth", "38 teeth"][
        i % 9
    ]
    return f"{kind} {size}"


def _electrical(i, r):
    kinds = [
        "Control Cable YSLY-JZ",
        "Inductive Sensor M12 PNP",
        "Contactor 3P 24V",
        "Motor Protection Switch",
        "Cable Gland M20 IP68",
        "Terminal Block 4 mm²",
        "Limit Switch Roller Lever",
    ]
    kind = kinds[i % len(kinds)]
    size = ["3G0.75", "4G1.5", "7G1", "12G0.75", "2.5 A", "6.3 A", "10 A", "16 A"][i % 8]
    return f"{kind} {size}"


CATEGORIES = [
    # code, name, count, unit, price range, namer
    ("FAS", "Fasteners", 40, "Unit", (0.08, 2.5), _fasteners),
    ("BRG", "Bearings", 32, "Unit", (4.0, 260.0), _bearings),
    ("SEA", "Seals", 30, "Unit", (0.2, 18.0), _seals),
    ("HYD", "Hydraulics", 28, "Unit", (9.0, 680.0), _hydraulics),
    ("PNE", "Pneumatics", 28, "Unit", (1.2, 240.0), _pneumatics),
    ("TOL", "Tools", 24, "Unit", (9.0, 420.0), _tools),
    ("PTR", "Power Transmission", 26, "Unit", (3.0, 190.0), _transmission),
    ("ELE", "Electrical", 26, "Unit", (0.4, 140.0), _electrical),
]
# Products sold by weight or length (SKU -> unit name), everything else by unit.
SPECIAL_UNITS = {
    "FAS-1005": "Kilogram",
    "FAS-1011": "Kilogram",
    "FAS-1017": "Kilogram",
    "HYD-1001": "Meter",
    "HYD-1009": "Meter",
    "HYD-1017": "Meter",
    "PNE-1004": "Meter",
    "PNE-1011": "Meter",
    "ELE-1001": "Meter",
    "ELE-1008": "Meter",
    "ELE-1015": "Meter",
}


# Product names and descriptions in the stores' other languages (ir.translation, written as the
# ERP's users do: the template in the language's context). A translation is the name's leading
# kind, then the rest of the name with its words replaced. Some are left out on purpose, so the
# demo shows the storefront's visible fallback: Japanese has no Tools or Electrical names, French
# misses a few kinds, German two.
TRANSLATED_LANGUAGES = {"de": "German", "fr": "French", "ja": "Japanese"}
KIND_NAMES = {
    "de": {
        "Hex Bolt": "Sechskantschraube",
        "Socket Cap Screw": "Zylinderschraube mit Innensechskant",
        "Hex Nut": "Sechskantmutter",
        "Washer": "Unterlegscheibe",
        "Threaded Rod": "Gewindestange",
        "Countersunk Screw": "Senkschraube",
        "Deep Groove Ball Bearing": "Rillenkugellager",
        "Spherical Roller Bearing": "Pendelrollenlager",
        "Cylindrical Roller Bearing": "Zylinderrollenlager",
        "Angular Contact Bearing": "Schrägkugellager",
        "O-Ring": "O-Ring",
        "Radial Shaft Seal": "Radial-Wellendichtring",
        "Rod Seal": "Stangendichtung",
        "V-Ring": "V-Ring",
        "Flat Gasket": "Flachdichtung",
        "Hydraulic Hose": "Hydraulikschlauch",
        "Hydraulic Fitting": "Hydraulikverschraubung",
        "Ball Valve 3-way": "Kugelhahn 3-Wege",
        "Check Valve": "Rückschlagventil",
        "Pressure Gauge": "Manometer",
        "Gear Pump Group 2": "Zahnradpumpe Gruppe 2",
        "Hydraulic Cylinder": "Hydraulikzylinder",
        "Return Filter Element": "Rücklauffilterelement",
        "Push-in Fitting": "Steckverschraubung",
        "Pneumatic Cylinder": "Pneumatikzylinder",
        "Solenoid Valve": "Magnetventil",
        "PU Tubing": "PU-Schlauch",
        "Filter Regulator": "Filterregler",
        "Quick Coupling": "Schnellkupplung",
        "Torque Wrench": "Drehmomentschlüssel",
        "Bearing Puller 3-arm": "Lagerabzieher 3-armig",
        "Combination Spanner": "Ringmaulschlüssel",
        "Cordless Impact Driver 18V": "Akku-Schlagschrauber 18V",
        "Thread Tap Set": "Gewindebohrer-Satz",
        "Digital Caliper": "Digitaler Messschieber",
        "Grease Gun": "Fettpresse",
        "Roller Chain": "Rollenkette",
        "V-Belt": "Keilriemen",
        "Timing Belt": "Zahnriemen",
        "Taper Lock Bush": "Taper-Lock-Spannbuchse",
        "Chain Sprocket": "Kettenrad",
        "Jaw Coupling": "Klauenkupplung",
        "Gear Rack": "Zahnstange",
        "Control Cable": "Steuerleitung",
        "Inductive Sensor": "Induktiver Sensor",
        "Contactor": "Schütz",
        "Motor Protection Switch": "Motorschutzschalter",
        "Cable Gland": "Kabelverschraubung",
        "Terminal Block": "Reihenklemme",
        "Limit Switch Roller Lever": "Positionsschalter mit Rollenhebel",
    },
    "fr": {
        "Hex Bolt": "Vis à tête hexagonale",
        "Socket Cap Screw": "Vis à tête cylindrique six pans creux",
        "Hex Nut": "Écrou hexagonal",
        "Washer": "Rondelle",
        "Threaded Rod": "Tige filetée",
        "Countersunk Screw": "Vis à tête fraisée",
        "Deep Groove Ball Bearing": "Roulement à billes à gorge profonde",
        "Spherical Roller Bearing": "Roulement à rotule sur rouleaux",
        "Cylindrical Roller Bearing": "Roulement à rouleaux cylindriques",
        "Angular Contact Bearing": "Roulement à billes à contact oblique",
        "O-Ring": "Joint torique",
        "Radial Shaft Seal": "Bague d'étanchéité radiale",
        "Rod Seal": "Joint de tige",
        "V-Ring": "Joint V-Ring",
        "Flat Gasket": "Joint plat",
        "Hydraulic Hose": "Flexible hydraulique",
        "Hydraulic Fitting": "Raccord hydraulique",
        "Ball Valve 3-way": "Robinet à boisseau sphérique 3 voies",
        "Check Valve": "Clapet anti-retour",
        "Pressure Gauge": "Manomètre",
        "Gear Pump Group 2": "Pompe à engrenages groupe 2",
        "Hydraulic Cylinder": "Vérin hydraulique",
        "Return Filter Element": "Élément filtrant de retour",
        "Push-in Fitting": "Raccord instantané",
        "Pneumatic Cylinder": "Vérin pneumatique",
        "Solenoid Valve": "Électrovanne",
        "PU Tubing": "Tube PU",
        "Filter Regulator": "Filtre régulateur",
        "Quick Coupling": "Raccord rapide",
        "Silencer Sintered Bronze": "Silencieux en bronze fritté",
        "Torque Wrench": "Clé dynamométrique",
        "Hex Key Set": "Jeu de clés mâles six pans",
        "Bearing Puller 3-arm": "Extracteur de roulements 3 griffes",
        "Combination Spanner": "Clé mixte",
        "Cordless Impact Driver 18V": "Visseuse à chocs sans fil 18V",
        "Thread Tap Set": "Jeu de tarauds",
        "Digital Caliper": "Pied à coulisse numérique",
        "Roller Chain": "Chaîne à rouleaux",
        "V-Belt": "Courroie trapézoïdale",
        "Timing Belt": "Courroie crantée",
        "Taper Lock Bush": "Moyeu amovible Taper Lock",
        "Chain Sprocket": "Pignon pour chaîne",
        "Control Cable": "Câble de commande",
        "Inductive Sensor": "Capteur inductif",
        "Contactor": "Contacteur",
        "Motor Protection Switch": "Disjoncteur moteur",
        "Cable Gland": "Presse-étoupe",
        "Terminal Block": "Bornier",
        "Limit Switch Roller Lever": "Interrupteur de position à levier à galet",
    },
    "ja": {
        "Hex Bolt": "六角ボルト",
        "Socket Cap Screw": "六角穴付きボルト",
        "Hex Nut": "六角ナット",
        "Washer": "平座金",
        "Threaded Rod": "全ねじボルト",
        "Countersunk Screw": "皿ねじ",
        "Deep Groove Ball Bearing": "深溝玉軸受",
        "Spherical Roller Bearing": "自動調心ころ軸受",
        "Cylindrical Roller Bearing": "円筒ころ軸受",
        "Angular Contact Bearing": "アンギュラ玉軸受",
        "O-Ring": "Oリング",
        "Radial Shaft Seal": "オイルシール",
        "Rod Seal": "ロッドシール",
        "V-Ring": "Vリング",
        "Flat Gasket": "平ガスケット",
        "Hydraulic Hose": "油圧ホース",
        "Hydraulic Fitting": "油圧継手",
        "Ball Valve 3-way": "三方ボールバルブ",
        "Check Valve": "逆止弁",
        "Pressure Gauge": "圧力計",
        "Gear Pump Group 2": "ギアポンプ グループ2",
        "Hydraulic Cylinder": "油圧シリンダ",
        "Return Filter Element": "リターンフィルタエレメント",
        "Push-in Fitting": "ワンタッチ継手",
        "Pneumatic Cylinder": "エアシリンダ",
        "Solenoid Valve": "電磁弁",
        "PU Tubing": "ポリウレタンチューブ",
        "Filter Regulator": "フィルタレギュレータ",
        "Quick Coupling": "クイックカップリング",
        "Silencer Sintered Bronze": "焼結青銅サイレンサ",
        "Roller Chain": "ローラチェーン",
        "V-Belt": "Vベルト",
        "Timing Belt": "タイミングベルト",
        "Taper Lock Bush": "テーパーロックブッシュ",
        "Chain Sprocket": "スプロケット",
        "Jaw Coupling": "ジョーカップリング",
        "Gear Rack": "ラックギア",
    },
}
WORDS = {
    "de": {
        "zinc plated": "verzinkt",
        "zinc": "verzinkt",
        "stainless": "Edelstahl",
        "black": "brüniert",
        "teeth": "Zähne",
        "compact": "kompakt",
        "industrial": "Industrie",
        "-way": "-Wege",
    },
    "fr": {
        "zinc plated": "zingué",
        "zinc": "zingué",
        "stainless": "inox",
        "black": "bruni",
        "teeth": "dents",
        "compact": "compact",
        "industrial": "industriel",
    },
    "ja": {
        "zinc plated": "亜鉛めっき",
        "zinc": "亜鉛めっき",
        "stainless": "ステンレス",
        "black": "黒染め",
        "teeth": "歯",
    },
}
# English descriptions per category (the others have none), and the languages they are in.
DESCRIPTIONS = {
    "BRG": {
        "en": "Rolling bearing to ISO 15, greased for life; dimensions and load ratings as in "
        "the manufacturer's catalogue.",
        "de": "Wälzlager nach ISO 15, lebensdauergeschmiert; Abmessungen und Tragzahlen laut "
        "Herstellerkatalog.",
        "fr": "Roulement selon ISO 15, graissé à vie ; dimensions et charges de base selon le "
        "catalogue du fabricant.",
        "ja": "ISO 15 準拠の転がり軸受、グリース封入済み。寸法と定格荷重はメーカーカタログの"
        "とおりです。",
    },
    "HYD": {
        "en": "For mineral-oil hydraulics up to the pressure on the part; tested to EN 982.",
        "de": "Für Mineralöl-Hydraulik bis zum angegebenen Druck; geprüft nach EN 982.",
        "fr": "Pour l'hydraulique à huile minérale jusqu'à la pression indiquée ; "
        "testé selon EN 982.",
    },
    "PNE": {
        "en": "For filtered compressed air, lubricated or not, up to 10 bar.",
        "de": "Für gefilterte Druckluft, geölt oder ungeölt, bis 10 bar.",
    },
}


def translation(field: str, res_id: int, lang: str, src: str, value: str) -> dict:
    """An ir.translation row of a record's field, as Tryton writes one."""
    return {
        "name": field,
        "res_id": res_id,
        "lang": lang,
        "type": "model",
        "src": src,
        "value": value,
        "fuzzy": False,
    }


def translate_name(name: str, lang: str) -> str | None:
    """``name`` in ``lang``, or None where the demo leaves it untranslated."""
    kinds = KIND_NAMES[lang]
    kind = next((k for k in sorted(kinds, key=len, reverse=True) if name.startswith(k)), None)
    if kind is None:
        return None
    rest = name[len(kind) :]
    for word, other in WORDS[lang].items():
        rest = rest.replace(word, other)
    return f"{kinds[kind]}{rest}"


WAREHOUSES = [
    # code, name, region, city, country
    ("WH-EU", "Ferrum Warehouse Duisburg", "EU", "Duisburg", "DE"),
    ("WH-US", "Ferrum Warehouse Columbus", "US", "Columbus", "US"),
]

COUNTRIES = {
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "IT": "Italy",
    "AT": "Austria",
    "PL": "Poland",
    "US": "United States",
    "CA": "Canada",
}

CUSTOMERS = [
    # code, name, country, city, price list key, payment term
    ("C-1001", "Nordwerk Maschinenbau GmbH", "DE", "Hamburg", "nordwerk", "Net 30"),
    ("C-1002", "Alpine Anlagentechnik AG", "AT", "Linz", "contract_a", "Net 30"),
    ("C-1003", "Rivage Mécanique SARL", "FR", "Lyon", "contract_b", "Net 30"),
    ("C-1004", "Van der Berg Industrie B.V.", "NL", "Eindhoven", "contract_a", "Net 60"),
    ("C-1005", "Officine Meccaniche Rossi S.p.A.", "IT", "Brescia", "contract_b", "Net 30"),
    ("C-1006", "Great Lakes Fabrication Inc.", "US", "Cleveland", "contract_a", "Net 30"),
    ("C-1007", "Kowalski Automatyka Sp. z o.o.", "PL", "Wrocław", None, "Net 30"),
    ("C-1008", "Prairie Ag Equipment LLC", "US", "Des Moines", "contract_b", "Net 60"),
    ("C-1009", "Schwarzwald Präzision GmbH", "DE", "Freiburg", "contract_a", "Net 30"),
    ("C-1010", "Maple Leaf Hydraulics Ltd.", "CA", "Hamilton", None, "Net 30"),
    ("C-1011", "Atelier Dupont Frères", "FR", "Grenoble", "list", "Immediate"),
    ("C-1012", "Texas Pump & Valve Co.", "US", "Houston", "contract_a", "Net 30"),
    ("C-1013", "Rheinland Fördertechnik GmbH", "DE", "Köln", "contract_b", "Net 60"),
    ("C-1014", "Hollandse Verpakkingsmachines B.V.", "NL", "Utrecht", None, "Net 30"),
    ("C-1015", "Carolina Textile Machinery Inc.", "US", "Charlotte", "contract_b", "Net 30"),
    ("C-1016", "Tiroler Seilbahnbau GmbH", "AT", "Innsbruck", "contract_a", "Net 30"),
    ("C-1017", "Automazioni Bianchi S.r.l.", "IT", "Torino", "list", "Net 30"),
    ("C-1018", "Sierra Mining Supply LLC", "US", "Reno", "contract_a", "Net 60"),
    ("C-1019", "Sächsische Antriebstechnik GmbH", "DE", "Chemnitz", None, "Immediate"),
    ("C-1020", "Mazowsze Conveyors S.A.", "PL", "Warszawa", "contract_b", "Net 30"),
    ("C-1021", "Québec Forestry Machines Inc.", "CA", "Trois-Rivières", "contract_a", "Net 30"),
    ("C-1022", "Bayern Landtechnik KG", "DE", "Regensburg", "contract_a", "Net 30"),
    ("C-1023", "Ohio Valley Robotics Inc.", "US", "Dayton", "list", "Net 30"),
    ("C-1024", "Loire Emballage SAS", "FR", "Nantes", "contract_b", "Net 30"),
]
# Small stock in WH-EU only, to run short in tests.
LOW_STOCK = {"BRG-1004": 6.0, "TOL-1005": 3.0, "HYD-1005": 4.0}
NEAR_LIMIT = "C-1002"
OVER_LIMIT = "C-1003"
SITE_NAMES = ["Main Plant", "Assembly Hall 2", "Service Depot", "Central Stores"]
STREETS = [
    "Industriestraße",
    "Hafenweg",
    "Main Street",
    "Avenue des Usines",
    "Via dell'Industria",
    "Fabrieksweg",
    "Commerce Drive",
    "Gewerbepark",
]


def run_admin(args) -> None:
    """Create the database and activate the modules, without any prompt."""
    if not os.environ.get("TRYTONPASSFILE"):
        sys.exit("seed.py: TRYTONPASSFILE must name a file holding the admin password")
    admin = Path(sys.executable).with_name("trytond-admin")
    db_file = Path(args.data_path) / f"{args.database}.sqlite"
    db_file.touch()
    step(f"trytond-admin: activating {len(MODULES)} modules")
    subprocess.run(
        [
            str(admin),
            "-c",
            args.config,
            "-d",
            args.database,
            "-u",
            *MODULES,
            "--activate-dependencies",
            "--email",
            args.email,
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    step("modules activated")


def _die_with_parent() -> None:
    """trytond-admin stops when the build is stopped (Linux)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def data_path_of(config_file: str) -> str:
    import configparser

    parser = configparser.ConfigParser()
    parser.read(config_file)
    return parser.get("database", "path")


class Seeder:
    def __init__(self, config):
        from proteus import Model, Wizard

        self.config = config
        self.Model = Model
        self.Wizard = Wizard
        self.rnd = random.Random(RANDOM_SEED)
        self.manifest: dict = {}

    def M(self, name):
        return self.Model.get(name)

    def ctx(self, **extra):
        context = dict(self.config.context)
        context.update(extra)
        return context

    def raw_create(self, model, values, chunk=25):
        # Small batches: a large create makes SQLite's parser overflow on the
        # unique constraints' validation query.
        ids = []
        for start in range(0, len(values), chunk):
            ids += self.M(model)._proxy.create(values[start : start + chunk], self.ctx())
        return ids

    # ------------------------------------------------------------ basics
    def run(self):
        self.today = self.M("ir.date")._proxy.today(self.ctx())
        self.create_company()
        self.create_accounting()
        self.create_warehouses()
        self.create_catalogue()
        self.translate_catalogue()
        self.put_stock()
        self.create_price_lists()
        self.create_customers()
        self.create_invoices()
        self.create_sales()
        self.set_credit_limits()
        self.create_complaint_types()
        self.set_grace_period()
        self.write_manifest_data()

    def set_grace_period(self):
        """A confirmed sale stays cancellable for half an hour before the queue worker
        processes it (shipments, invoices): what a manufacturer gives buyers to correct a
        mistake. Set last, so the seeded sales above were processed at once."""
        step("grace period before sales are processed")
        SaleConfig = self.M("sale.configuration")
        sale_config = SaleConfig(1)
        sale_config.sale_process_after = datetime.timedelta(minutes=GRACE_MINUTES)
        sale_config.save()

    def create_complaint_types(self):
        """Returns are filed as sale complaints; Tryton needs a complaint type per origin."""
        step("complaint types")
        IrModel = self.M("ir.model")
        Type = self.M("sale.complaint.type")
        (sale_model,) = IrModel.find([("name", "=", "sale.sale")])
        self.complaint_types = [Type(name="Return", origin=sale_model)]
        self.complaint_types[0].save()

    def create_company(self):
        from trytond.modules.company.tests.tools import create_company

        step("company, currencies and countries")
        Currency = self.M("currency.currency")
        Rate = self.M("currency.currency.rate")
        self.currencies = {}
        for code, name, symbol, rate in [
            ("EUR", "Euro", "€", Decimal("1.0")),
            ("USD", "U.S. Dollar", "$", Decimal("1.0850")),
        ]:
            currency = Currency(name=name, code=code, symbol=symbol, rounding=Decimal("0.01"))
            currency.save()
            Rate(date=datetime.date(2000, 1, 1), rate=rate, currency=currency).save()
            self.currencies[code] = currency
        Country = self.M("country.country")
        self.countries = {}
        for code, name in COUNTRIES.items():
            country = Country(name=name, code=code)
            country.save()
            self.countries[code] = country
        Party = self.M("party.party")
        party = Party(name=COMPANY_NAME, code="FERRUM")
        (address,) = party.addresses
        address.street = "Hafenstraße 12"
        address.postal_code = "47119"
        address.city = "Duisburg"
        address.country = self.countries["DE"]
        party.save()
        create_company(party, self.currencies["EUR"])
        self.company = self.M("company.company")(self.config.context["company"])
        self.company_party = party

    def create_accounting(self):
        from trytond.modules.account.tests.tools import (
            create_chart,
            create_fiscalyear,
            create_tax,
            get_accounts,
        )
        from trytond.modules.account_invoice.tests.tools import (
            create_payment_term,
            set_fiscalyear_invoice_sequences,
        )

        step("chart of accounts, fiscal years, taxes, payment terms")
        create_chart(self.company)
        self.accounts = get_accounts(self.company)
        self.fiscalyears = []
        # One invoice sequence for every fiscal year: the seeded invoices span 95 days, and with a
        # sequence per year their numbers would depend on the day the seed ran (a seed of
        # January numbers some in last year's sequence), so tests could not name them.
        shared = None
        for year in range(self.today.year - 1, self.today.year + 3):
            fiscalyear = create_fiscalyear(
                self.company, today=(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
            )
            if shared is None:
                fiscalyear = set_fiscalyear_invoice_sequences(fiscalyear)
                shared = fiscalyear.invoice_sequences[0].out_invoice_sequence
                shared.name = "Customer invoices"
                shared.prefix = "INV-"
                shared.padding = 5
                shared.save()
            else:
                numbering = fiscalyear.invoice_sequences[0]
                numbering.out_invoice_sequence = numbering.in_invoice_sequence = shared
                numbering.out_credit_note_sequence = numbering.in_credit_note_sequence = shared
            fiscalyear.click("create_period")
            self.fiscalyears.append(fiscalyear)

        tax = create_tax(Decimal("0.19"), self.company)
        tax.name = tax.description = "VAT 19%"
        tax.save()
        self.tax = tax

        PaymentTerm = self.M("account.invoice.payment_term")
        immediate = create_payment_term()
        immediate.name = "Immediate"
        immediate.save()
        self.payment_terms = {"Immediate": immediate}
        for days in (30, 60):
            term = PaymentTerm(name=f"Net {days}")
            line = term.lines.new(type="remainder")
            line.relativedeltas.new(days=days)
            term.save()
            self.payment_terms[term.name] = term

        Journal = self.M("account.journal")
        PaymentMethod = self.M("account.invoice.payment.method")
        (cash_journal,) = Journal.find([("type", "=", "cash")])
        self.payment_method = PaymentMethod(
            name="Bank transfer",
            journal=cash_journal,
            credit_account=self.accounts["cash"],
            debit_account=self.accounts["cash"],
        )
        self.payment_method.save()

        # Sale configuration: no shipment cost without a carrier.
        SaleConfig = self.M("sale.configuration")
        sale_config = SaleConfig(1)
        if hasattr(sale_config, "sale_shipment_cost_method"):
            sale_config.sale_shipment_cost_method = None
        sale_config.save()
        for sequence, prefix in [
            (sale_config.sale_sequence, "SO-"),
            (self.M("stock.configuration")(1).shipment_out_sequence, "SHP-"),
        ]:
            sequence.prefix = prefix
            sequence.padding = 5
            sequence.save()

    def create_warehouses(self):
        step("warehouses")
        Location = self.M("stock.location")
        self.warehouses = {}
        self.storages = {}
        self.inputs = {}
        (default_wh,) = Location.find([("code", "=", "WH")])
        for index, (code, name, region, _city, _country) in enumerate(WAREHOUSES):
            if index == 0:
                warehouse = default_wh
                warehouse.name = name
                warehouse.code = code
                warehouse.save()
                for zone, label in [
                    (warehouse.input_location, "Input"),
                    (warehouse.output_location, "Output"),
                    (warehouse.storage_location, "Storage"),
                ]:
                    zone.name = f"{region} {label}"
                    zone.code = f"{region}-{label[:3].upper()}"
                    zone.save()
            else:
                zones = {}
                for label in ("Input", "Output", "Storage"):
                    zone = Location(
                        name=f"{region} {label}",
                        code=f"{region}-{label[:3].upper()}",
                        type="storage",
                    )
                    zone.save()
                    zones[label] = zone
                warehouse = Location(name=name, code=code, type="warehouse")
                warehouse.input_location = zones["Input"]
                warehouse.output_location = zones["Output"]
                warehouse.storage_location = zones["Storage"]
                warehouse.lost_found_location = default_wh.lost_found_location
                warehouse.save()
                for zone in zones.values():
                    zone.reload()
                    if zone.parent != warehouse:
                        zone.parent = warehouse
                        zone.save()
            warehouse.reload()
            storage = warehouse.storage_location
            for aisle in ("A", "B"):
                Location(
                    name=f"{region} Aisle {aisle}",
                    code=f"{region}-STO-{aisle}",
                    type="storage",
                    parent=storage,
                ).save()
            self.warehouses[code] = warehouse
            self.storages[code] = storage
            self.inputs[code] = warehouse.input_location
        (self.supplier_location,) = Location.find([("code", "=", "SUP")])
        (self.customer_location,) = Location.find([("code", "=", "CUS")])

    # ---------------------------------------------------------- catalogue
    def create_catalogue(self):
        step("product categories and products")
        rnd = self.rnd
        Category = self.M("product.category")
        Uom = self.M("product.uom")
        self.units = {u.name: u for u in Uom.find([("name", "in", ["Unit", "Kilogram", "Meter"])])}
        account_category = Category(
            name="Industrial goods (VAT 19%)",
            accounting=True,
            account_revenue=self.accounts["revenue"],
            account_expense=self.accounts["expense"],
        )
        account_category.customer_taxes.append(self.Model.get("account.tax")(self.tax.id))
        account_category.save()
        self.account_category = account_category
        root = Category(name="Industrial Components")
        root.save()
        self.categories = {}
        for prefix, name, *_ in CATEGORIES:
            category = Category(name=name, code=prefix, parent=root)
            category.save()
            self.categories[prefix] = category

        values = []
        self.products = []  # dicts, in SKU order
        for prefix, name, count, unit_name, (low, high), namer in CATEGORIES:
            for i in range(count):
                sku = f"{prefix}-{1001 + i}"
                unit_name = SPECIAL_UNITS.get(sku, "Unit")
                # log-uniform price between low and high (per kg or m: lower)
                factor = rnd.random()
                top = high if unit_name == "Unit" else min(high, low * 6)
                list_price = price(
                    Decimal(str(low * (top / low) ** factor)).quantize(Decimal("0.01"))
                )
                minimal = rounding = None
                if prefix == "FAS" and unit_name == "Unit":
                    # Small parts come in boxes of 100 (or 50).
                    if i % 3 == 0:
                        rounding = 100.0
                        minimal = 100.0
                    elif i % 3 == 1:
                        rounding = 50.0
                elif unit_name in ("Meter", "Kilogram"):
                    minimal = 5.0 if unit_name == "Meter" else 2.0
                    rounding = 0.5 if unit_name == "Meter" else 0.1
                elif prefix == "SEA" and i % 2 == 0:
                    rounding = 10.0
                    minimal = 20.0 if i % 4 == 0 else None
                elif prefix in ("BRG", "PTR") and i % 5 == 0:
                    minimal = 2.0
                elif prefix == "PNE" and i % 4 == 1:
                    rounding = 5.0
                elif prefix == "ELE" and i % 6 == 2:
                    minimal = 10.0
                product = {
                    "sku": sku,
                    "name": namer(i, rnd),
                    "category": name,
                    "category_prefix": prefix,
                    "unit": unit_name,
                    "list_price": list_price,
                    "cost_price": price(list_price * Decimal("0.58")),
                    "min_qty": minimal,
                    "multiple": rounding,
                    "description": DESCRIPTIONS.get(prefix, {}).get("en", ""),
                }
                self.products.append(product)
                values.append(
                    {
                        "name": product["name"],
                        "code": sku,
                        "type": "goods",
                        "salable": True,
                        "default_uom": self.units[unit_name].id,
                        "sale_uom": self.units[unit_name].id,
                        "list_price": list_price,
                        "account_category": account_category.id,
                        "categories": [("add", [self.categories[prefix].id])],
                        "sale_quantity_minimal": minimal,
                        "sale_quantity_rounding": rounding,
                        "products": [
                            (
                                "create",
                                [
                                    {
                                        "cost_price": product["cost_price"],
                                        "description": product["description"] or None,
                                    }
                                ],
                            )
                        ],
                    }
                )
        template_ids = self.raw_create("product.template", values)
        Product = self.M("product.product")
        by_template = {
            p["template"]: p["id"]
            for p in Product._proxy.read(
                [p.id for p in Product.find([("template", "in", template_ids)])],
                ["template"],
                self.ctx(),
            )
        }
        for product, template_id in zip(self.products, template_ids, strict=True):
            product["id"] = by_template[template_id]
            product["template_id"] = template_id
        self.by_sku = {p["sku"]: p for p in self.products}
        step(f"{len(self.products)} products created")

    def translate_catalogue(self):
        """The products' names and descriptions in German, French and Japanese, in
        ir.translation where Tryton keeps them (what reading a product in a language's context
        answers). Japanese is not among Tryton's languages: it is added here (records'
        translations need the language to exist, not its interface to be loaded)."""
        step("product names and descriptions in German, French and Japanese")
        Lang = self.M("ir.lang")
        if not Lang.find([("code", "=", "ja")]):
            Lang._proxy.create(
                [
                    {
                        "name": "Japanese",
                        "code": "ja",
                        "direction": "ltr",
                        "date": "%Y/%m/%d",
                        "grouping": "[3, 3, 0]",
                        "decimal_point": ".",
                        "thousands_sep": ",",
                        "mon_grouping": "[3, 3, 0]",
                        "mon_decimal_point": ".",
                        "mon_thousands_sep": ",",
                        "positive_sign": "",
                        "negative_sign": "-",
                    }
                ],
                self.ctx(),
            )
        # The name is the template's, the description the variant's (product.product). Stored
        # as Tryton stores a translation (source, value, not fuzzy) without writing the
        # products, so their write dates stay their creation's, as the sync's tests expect.
        values = []
        for lang in TRANSLATED_LANGUAGES:
            for product in self.products:
                texts = {}
                name = translate_name(product["name"], lang)
                if name is not None:
                    texts["name"] = name
                    values.append(
                        translation(
                            "product.template,name",
                            product["template_id"],
                            lang,
                            product["name"],
                            name,
                        )
                    )
                description = DESCRIPTIONS.get(product["category_prefix"], {}).get(lang)
                if description and product["description"]:
                    texts["description"] = description
                    values.append(
                        translation(
                            "product.product,description",
                            product["id"],
                            lang,
                            product["description"],
                            description,
                        )
                    )
                if texts:
                    product.setdefault("translations", {})[lang] = texts
        self.raw_create("ir.translation", values, chunk=200)

    def put_stock(self):
        step("stock: inventories and incoming supplies")
        rnd = self.rnd
        for index, product in enumerate(self.products):
            slot = index % 10
            if slot == 0:
                where = ()
            elif slot in (1, 2):
                where = ("WH-EU",)
            elif slot == 3:
                where = ("WH-US",)
            else:
                where = ("WH-EU", "WH-US")
            product["stocked_in"] = list(where)
            base = 50 if product["unit"] == "Unit" else 200
            if product["multiple"] and product["multiple"] >= 50:
                base = 2000
            stock = {}
            for code in ("WH-EU", "WH-US"):
                if code in where:
                    qty = float(base + rnd.randrange(0, base * 8))
                    if product["multiple"] and product["multiple"] >= 1:
                        qty = product["multiple"] * max(1, round(qty / product["multiple"]))
                    stock[code] = qty
                else:
                    stock[code] = 0.0
            product["initial_stock"] = stock
        # A few products with a small stock, to run short in tests.
        for sku, qty in LOW_STOCK.items():
            product = self.by_sku[sku]
            product["initial_stock"]["WH-EU"] = qty
            if "WH-EU" not in product["stocked_in"]:
                product["stocked_in"].append("WH-EU")

        Inventory = self.M("stock.inventory")
        for code in ("WH-EU", "WH-US"):
            lines = [
                {"product": p["id"], "quantity": p["initial_stock"][code]}
                for p in self.products
                if p["initial_stock"][code] > 0
            ]
            (inventory_id,) = self.raw_create(
                "stock.inventory",
                [
                    {
                        "location": self.storages[code].id,
                        "date": self.today - datetime.timedelta(days=60),
                        "lines": [("create", lines)],
                    }
                ],
            )
            Inventory.click([Inventory(inventory_id)], "confirm")

        # Supplies arriving later: draft supplier shipments planned in the
        # future count in the forecast quantity ("available from <date>").
        Party = self.M("party.party")
        suppliers = []
        for code, name in [
            ("S-2001", "Rhein-Ruhr Stahlhandel GmbH"),
            ("S-2002", "Midwest Bearing Distributors Inc."),
        ]:
            supplier = Party(name=name, code=code)
            supplier.save()
            suppliers.append(supplier)
        self.suppliers = suppliers
        self.incoming = []
        ShipmentIn = self.M("stock.shipment.in")
        out_of_stock = [p for p in self.products if not p["stocked_in"]]
        plans = [
            ("WH-EU", suppliers[0], 14, out_of_stock[0::3]),
            ("WH-US", suppliers[1], 21, out_of_stock[1::3]),
        ]
        Product = self.M("product.product")
        for code, supplier, days, products in plans:
            planned = self.today + datetime.timedelta(days=days)
            shipment = ShipmentIn()
            shipment.supplier = supplier
            shipment.warehouse = self.warehouses[code]
            shipment.planned_date = planned
            shipment.reference = f"PO-{code}-{days:03d}"
            for product in products:
                qty = 100.0 if product["unit"] == "Unit" else 250.0
                if product["multiple"] and product["multiple"] >= 1:
                    qty = product["multiple"] * 10
                move = shipment.incoming_moves.new()
                move.product = Product(product["id"])
                move.quantity = qty
                move.from_location = self.supplier_location
                move.to_location = shipment.warehouse_input
                move.planned_date = planned
                move.unit_price = product["cost_price"]
                move.currency = self.currencies["EUR"]
                product.setdefault("incoming", []).append(
                    {"warehouse": code, "quantity": qty, "date": planned.isoformat()}
                )
            shipment.save()
            shipment_id = shipment.id
            self.incoming.append(
                {
                    "warehouse": code,
                    "shipment": shipment_id,
                    "date": planned.isoformat(),
                    "skus": [p["sku"] for p in products],
                }
            )

    # -------------------------------------------------------- price lists
    def create_price_lists(self):
        step("price lists")
        PriceList = self.M("product.price_list")
        self.price_lists = {}

        def make(key, name, lines):
            price_list = PriceList(name=name, price="list_price")
            for line in lines:
                price_list.lines.new(**line)
            price_list.save()
            self.price_lists[key] = price_list

        make("list", "List Price", [{"formula": "unit_price"}])
        make(
            "contract_a",
            "Contract A",
            [
                {"quantity": 100.0, "formula": "unit_price * 0.85"},
                {"formula": "unit_price * 0.90"},
            ],
        )
        fasteners = self.categories["FAS"]
        make(
            "contract_b",
            "Contract B",
            [
                {"category": fasteners, "quantity": 1000.0, "formula": "unit_price * 0.75"},
                {"category": fasteners, "formula": "unit_price * 0.80"},
                {"quantity": 250.0, "formula": "unit_price * 0.88"},
                {"quantity": 50.0, "formula": "unit_price * 0.92"},
                {"formula": "unit_price * 0.95"},
            ],
        )
        Product = self.M("product.product")
        fixed = [
            ("BRG-1001", None),
            ("BRG-1002", None),
            ("HYD-1002", None),
            ("PNE-1002", None),
            ("TOL-1002", None),
        ]
        lines = []
        self.nordwerk_fixed = {}
        for sku, _ in fixed:
            product = self.by_sku[sku]
            fixed_price = money(product["list_price"] * Decimal("0.70"))
            self.nordwerk_fixed[sku] = str(fixed_price)
            lines.append(
                {"product": Product(product["id"]), "formula": f'Decimal("{fixed_price}")'}
            )
        lines.append({"quantity": 100.0, "formula": "unit_price * 0.82"})
        lines.append({"formula": "unit_price * 0.88"})
        make("nordwerk", "Nordwerk Maschinenbau — customer prices", lines)

        SaleConfig = self.M("sale.configuration")
        sale_config = SaleConfig(1)
        sale_config.sale_price_list = self.price_lists["list"]
        sale_config.save()

    # ---------------------------------------------------------- customers
    def create_customers(self):
        step("customers")
        values = []
        self.customers = []
        for index, (code, name, country, city, price_list, term) in enumerate(CUSTOMERS):
            site_count = 1 + (index % 3)  # 1, 2 or 3 ship-to addresses
            addresses = []
            for site in range(site_count):
                addresses.append(
                    {
                        "party_name": f"{name} — {SITE_NAMES[site]}" if site else None,
                        "street": f"{STREETS[(index + site) % len(STREETS)]} "
                        f"{10 + (index * 7 + site * 13) % 180}",
                        "postal_code": f"{10000 + index * 311 + site * 17}",
                        "city": city,
                        "country": self.countries[country].id,
                        "invoice": site == 0,
                        "delivery": True,
                    }
                )
            slug = "".join(c for c in name.lower().split()[0] if c.isalnum())
            values.append(
                {
                    "name": name,
                    "code": code,
                    "addresses": [("create", addresses)],
                    "contact_mechanisms": [
                        (
                            "create",
                            [
                                {"type": "email", "value": f"purchasing@{slug}.example.com"},
                                {
                                    "type": "phone",
                                    "value": f"+49 201 {5550100 + index}"
                                    if country != "US"
                                    else f"+1 614 555 {100 + index:04d}",
                                },
                            ],
                        )
                    ],
                    "customer_payment_term": self.payment_terms[term].id,
                    "sale_price_list": (self.price_lists[price_list].id if price_list else None),
                }
            )
            self.customers.append(
                {
                    "code": code,
                    "name": name,
                    "country": country,
                    "region": "US" if country in ("US", "CA") else "EU",
                    "warehouse": "WH-US" if country in ("US", "CA") else "WH-EU",
                    "price_list": (self.price_lists[price_list].name if price_list else None),
                    "price_list_id": (self.price_lists[price_list].id if price_list else None),
                    "payment_term": term,
                    "ship_to_count": site_count,
                }
            )
        ids = self.raw_create("party.party", values)
        for customer, party_id in zip(self.customers, ids, strict=True):
            customer["id"] = party_id
        self.by_code = {c["code"]: c for c in self.customers}

    # ----------------------------------------------------------- invoices
    def create_invoices(self):
        step("posted customer invoices")
        Invoice = self.M("account.invoice")
        Party = self.M("party.party")
        Product = self.M("product.product")
        # (customer, days ago, payment term, [(sku, qty)])
        plan = [
            ("C-1003", 95, "Net 30", [("HYD-1004", 12), ("HYD-1012", 8), ("BRG-1010", 40)]),
            ("C-1005", 80, "Net 30", [("PNE-1006", 30), ("SEA-1008", 200)]),
            ("C-1003", 70, "Net 30", [("TOL-1008", 10), ("HYD-1020", 6)]),
            ("C-1008", 65, "Net 30", [("PTR-1003", 25), ("ELE-1004", 40)]),
            ("C-1002", 50, "Net 30", [("BRG-1012", 20), ("PTR-1010", 15)]),
            ("C-1001", 45, "Net 30", [("HYD-1003", 5), ("SEA-1001", 300)]),
            ("C-1013", 40, "Net 60", [("BRG-1020", 16), ("TOL-1012", 4)]),
            ("C-1003", 35, "Net 30", [("HYD-1014", 10), ("PNE-1014", 25)]),
            ("C-1006", 25, "Net 30", [("ELE-1010", 50), ("PTR-1016", 10)]),
            ("C-1002", 18, "Net 30", [("HYD-1008", 6), ("BRG-1018", 24)]),
            ("C-1009", 12, "Net 30", [("TOL-1014", 3), ("SEA-1012", 120)]),
            ("C-1005", 6, "Net 30", [("BRG-1006", 10)]),
            ("C-1012", 3, "Net 30", [("PNE-1020", 12), ("HYD-1016", 4)]),
        ]
        self.invoices = []
        drafts = []
        for code, days, term, lines in plan:  # chronological order
            customer = self.by_code[code]
            invoice_date = self.today - datetime.timedelta(days=days)
            invoice = Invoice(type="out")
            invoice.party = Party(customer["id"])
            invoice.payment_term = self.payment_terms[term]
            invoice.invoice_date = invoice_date
            invoice.reference = f"ORD-{code[2:]}-{days:03d}"
            for sku, qty in lines:
                product = self.by_sku[sku]
                line = invoice.lines.new()
                line.product = Product(product["id"])
                line.quantity = float(qty)
                line.unit_price = product["list_price"]
            invoice.save()
            drafts.append(invoice)
            due = invoice_date + datetime.timedelta(
                days=int(term.split()[1]) if term != "Immediate" else 0
            )
            self.invoices.append(
                {
                    "id": invoice.id,
                    "customer": code,
                    "invoice_date": invoice_date.isoformat(),
                    "due_date": due.isoformat(),
                    "overdue": due < self.today,
                }
            )
        # Post them together: Tryton numbers them in date order.
        step(f"posting {len(drafts)} invoices")
        Invoice.click(drafts, "post")
        step("invoices posted")
        for data, invoice in zip(self.invoices, drafts, strict=True):
            invoice.reload()
            data["number"] = invoice.number
            data["total_amount"] = str(invoice.total_amount)
        # One overdue invoice partly paid, to show amount_to_pay != total.
        first = Invoice(self.invoices[1]["id"])
        pay = self.Wizard("account.invoice.pay", [first])
        pay.form.amount = money(Decimal(self.invoices[1]["total_amount"]) / 2)
        pay.form.payment_method = self.payment_method
        pay.form.date = self.today - datetime.timedelta(days=20)
        pay.execute("choice")
        if pay.state != "end":  # the wizard asks: partial or write-off
            pay.form.type = "partial"
            pay.execute("pay")
        first.reload()
        self.invoices[1]["amount_to_pay"] = str(first.amount_to_pay)
        self.invoices[1]["partly_paid"] = True

    # -------------------------------------------------------------- sales
    def pick(self, warehouse, prefix, nth, qty):
        """The nth product of a category that is well stocked in warehouse,
        with qty adjusted to its minimum and multiple."""
        candidates = []
        for product in self.products:
            if (
                product["category_prefix"] != prefix
                or product["sku"] in LOW_STOCK
                or product["sku"] in self.picked
            ):
                continue
            quantity = max(qty, product["min_qty"] or 0)
            if product["multiple"]:
                quantity = product["multiple"] * math.ceil(round(quantity / product["multiple"], 6))
            if product["initial_stock"][warehouse] >= 2 * quantity:
                candidates.append((product["sku"], quantity))
        if not candidates:
            raise RuntimeError(f"no {prefix} product with {qty} in stock twice in {warehouse}")
        sku, quantity = candidates[nth % len(candidates)]
        self.picked.add(sku)
        return sku, quantity

    def _sale(self, code, warehouse, lines, reference, address_index=0):
        Sale = self.M("sale.sale")
        Party = self.M("party.party")
        Product = self.M("product.product")
        party = Party(self.by_code[code]["id"])
        sale = Sale()
        sale.party = party
        sale.warehouse = self.warehouses[warehouse]
        if hasattr(sale, "shipment_cost_method"):
            sale.shipment_cost_method = None
        sale.reference = reference
        delivery = [a for a in party.addresses if a.delivery]
        sale.shipment_address = delivery[address_index % len(delivery)]
        for prefix, nth, qty in lines:
            sku, qty = self.pick(warehouse, prefix, nth, qty)
            line = sale.lines.new()
            line.product = Product(self.by_sku[sku]["id"])
            line.quantity = float(qty)
        sale.save()
        return sale

    def create_sales(self):
        step("sales: confirmed, partially shipped, sent, quotation, draft")
        Shipment = self.M("stock.shipment.out")
        self.sales = []
        self.picked = set()

        def record(sale, kind):
            sale.reload()
            self.sales.append(
                {
                    "number": sale.number,
                    "id": sale.id,
                    "kind": kind,
                    "customer": sale.party.code,
                    "reference": sale.reference,
                    "warehouse": sale.warehouse.code,
                    "state": sale.state,
                    "shipment_state": sale.shipment_state,
                    "invoice_state": sale.invoice_state,
                    "total_amount": str(sale.total_amount),
                }
            )

        def confirm(sale):
            sale.click("quote")
            sale.click("confirm")
            sale.reload()

        def ship(shipment):
            Shipment.click([shipment], "assign_try")
            shipment.reload()
            if shipment.state == "waiting":
                raise RuntimeError(f"shipment {shipment.number} could not be assigned")
            for button in ("pick", "pack", "do"):
                Shipment.click([shipment], button)
                shipment.reload()

        # 1. Confirmed, waiting for shipment (EU and US).
        for code, warehouse, lines, ref, addr in [
            ("C-1001", "WH-EU", [("BRG", 3, 8), ("SEA", 1, 60), ("FAS", 2, 500)], "PO-NW-4711", 1),
            ("C-1012", "WH-US", [("PNE", 2, 20), ("HYD", 5, 3)], "PO-TPV-2201", 0),
            ("C-1009", "WH-EU", [("TOL", 1, 2), ("PTR", 4, 12)], "PO-SP-0815", 0),
        ]:
            sale = self._sale(code, warehouse, lines, ref, addr)
            confirm(sale)
            record(sale, "waiting")

        # 2. Partially shipped: first shipment sent with only part of a line;
        #    the sale makes a back-order shipment for the rest.
        for code, warehouse, lines, ref in [
            ("C-1004", "WH-EU", [("BRG", 5, 40), ("PTR", 7, 10)], "PO-VDB-3310"),
            ("C-1018", "WH-US", [("ELE", 5, 60), ("PNE", 7, 15)], "PO-SMS-1177"),
        ]:
            sale = self._sale(code, warehouse, lines, ref)
            confirm(sale)
            (shipment,) = sale.shipments
            move = shipment.inventory_moves[0]
            move.quantity = move.quantity / 2
            move.save()
            shipment.reload()
            ship(shipment)
            sale.reload()
            record(sale, "partially shipped")

        # 3. Sent: shipped completely.
        for code, warehouse, lines, ref in [
            ("C-1006", "WH-US", [("HYD", 7, 4), ("PTR", 8, 6), ("SEA", 5, 40)], "PO-GLF-5521"),
            ("C-1016", "WH-EU", [("PNE", 9, 10), ("ELE", 7, 25)], "PO-TSB-0042"),
        ]:
            sale = self._sale(code, warehouse, lines, ref)
            confirm(sale)
            (shipment,) = sale.shipments
            ship(shipment)
            sale.reload()
            record(sale, "sent")

        # 4. Near-limit customer: an open order counted in its credit amount.
        sale = self._sale(NEAR_LIMIT, "WH-EU", [("HYD", 10, 6), ("BRG", 8, 20)], "PO-AAT-7788")
        confirm(sale)
        record(sale, "waiting")

        # 5. A quotation and a draft (not confirmed).
        sale = self._sale("C-1005", "WH-EU", [("TOL", 10, 2)], "RFQ-OMR-19")
        sale.click("quote")
        record(sale, "quotation")
        sale = self._sale("C-1014", "WH-EU", [("SEA", 10, 40)], "DRAFT-HV-1")
        record(sale, "draft")

    def set_credit_limits(self):
        step("credit limits")
        Party = self.M("party.party")
        ids = [c["id"] for c in self.customers]
        amounts = {
            p["id"]: Decimal(str(p["credit_amount"]))
            for p in Party._proxy.read(ids, ["credit_amount"], self.ctx())
        }
        writes = []
        for index, customer in enumerate(self.customers):
            credit = amounts[customer["id"]]
            if customer["code"] == NEAR_LIMIT:
                limit = (credit + Decimal("400")).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                status = "near"
            elif customer["code"] == OVER_LIMIT:
                limit = (credit * Decimal("0.6") // 500) * 500
                status = "over"
            elif index % 7 == 6:
                limit = None  # no limit
                status = "none"
            else:
                limit = Decimal(25000 + 5000 * (index % 6))
                status = "ok"
            if limit is not None:
                writes.extend([[customer["id"]], {"credit_limit_amount": limit}])
            customer["credit_limit"] = str(limit) if limit is not None else None
            customer["credit_status"] = status
        Party._proxy.write(*writes, self.ctx())
        for party in Party._proxy.read(
            ids, ["credit_amount", "receivable", "receivable_today"], self.ctx()
        ):
            customer = next(c for c in self.customers if c["id"] == party["id"])
            customer["credit_amount"] = str(party["credit_amount"])
            customer["receivable"] = str(party["receivable"])
            customer["receivable_today"] = str(party["receivable_today"])

    # ----------------------------------------------------------- manifest
    def write_manifest_data(self):
        step("reading back stock for the manifest")
        Product = self.M("product.product")
        ids = [p["id"] for p in self.products]
        far = self.today + datetime.timedelta(days=60)
        for code, warehouse in self.warehouses.items():
            now = {
                r["id"]: r
                for r in Product._proxy.read(
                    ids,
                    ["quantity", "forecast_quantity"],
                    self.ctx(locations=[warehouse.id], stock_date_end=self.today),
                )
            }
            later = {
                r["id"]: r
                for r in Product._proxy.read(
                    ids,
                    ["forecast_quantity"],
                    self.ctx(locations=[warehouse.id], stock_date_end=far),
                )
            }
            for product in self.products:
                product.setdefault("stock", {})[code] = {
                    "quantity": now[product["id"]]["quantity"],
                    "forecast_today": now[product["id"]]["forecast_quantity"],
                    "forecast_60_days": later[product["id"]]["forecast_quantity"],
                }

        def dec(value):
            return str(value) if value is not None else None

        products = []
        for p in self.products:
            products.append(
                {
                    "sku": p["sku"],
                    "id": p["id"],
                    "name": p["name"],
                    "description": p["description"],
                    # What the ERP has in other languages ({lang: {"name", "description"}}):
                    # a language or a field not here is untranslated (the storefront falls back).
                    "translations": p.get("translations", {}),
                    "category": p["category"],
                    "unit": p["unit"],
                    "list_price": dec(p["list_price"]),
                    "min_qty": p["min_qty"],
                    "multiple": p["multiple"],
                    "stocked_in": sorted(p["stocked_in"]),
                    "stock": p["stock"],
                    "incoming": p.get("incoming", []),
                }
            )

        def skus(pred):
            return [p["sku"] for p in self.products if pred(p)]

        self.manifest = {
            "seed_format": 1,
            "seeded_on": self.today.isoformat(),
            "database": self.config.database_name,
            "admin_login": "admin",
            "company": {
                "id": self.company.id,
                "name": COMPANY_NAME,
                "currency": "EUR",
                "other_currencies": ["USD"],
            },
            "warehouses": [
                {
                    "code": code,
                    "id": wh.id,
                    "name": wh.name,
                    "region": region,
                    "storage_id": self.storages[code].id,
                }
                for (code, _, region, _, _), wh in zip(
                    WAREHOUSES, self.warehouses.values(), strict=True
                )
            ],
            "price_lists": [
                {"key": key, "id": pl.id, "name": pl.name} for key, pl in self.price_lists.items()
            ],
            "default_price_list": self.price_lists["list"].name,
            "payment_terms": {name: term.id for name, term in self.payment_terms.items()},
            "customer_specific_prices": {"customer": "C-1001", "fixed_prices": self.nordwerk_fixed},
            "complaint_types": [{"id": t.id, "name": t.name} for t in self.complaint_types],
            "sale_process_after_seconds": GRACE_MINUTES * 60,
            "scenarios": {
                "near_limit_customer": NEAR_LIMIT,
                "over_limit_customer": OVER_LIMIT,
                "min_qty_skus": skus(lambda p: p["min_qty"]),
                "multiple_skus": skus(lambda p: p["multiple"]),
                "out_of_stock_skus": skus(lambda p: not p["stocked_in"]),
                "eu_only_skus": skus(lambda p: p["stocked_in"] == ["WH-EU"]),
                "us_only_skus": skus(lambda p: p["stocked_in"] == ["WH-US"]),
                "low_stock_skus": sorted(LOW_STOCK),
                "translated_languages": sorted(TRANSLATED_LANGUAGES),
                # Per language, the products whose name the ERP does not have in it.
                "untranslated_name_skus": {
                    lang: skus(
                        lambda p, lang=lang: "name" not in p.get("translations", {}).get(lang, {})
                    )
                    for lang in sorted(TRANSLATED_LANGUAGES)
                },
                "incoming_supplies": self.incoming,
                "overdue_invoices": [i["number"] for i in self.invoices if i["overdue"]],
                "sales_by_shipment_state": {
                    kind: [
                        {"id": s["id"], "number": s["number"], "reference": s["reference"]}
                        for s in self.sales
                        if s["kind"] == kind
                    ]
                    for kind in ("waiting", "partially shipped", "sent", "quotation", "draft")
                },
            },
            "customers": self.customers,
            "suppliers": [{"code": s.code, "id": s.id, "name": s.name} for s in self.suppliers],
            "invoices": self.invoices,
            "sales": self.sales,
            "products": products,
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--email", default="admin@storefleet.localhost")
    parser.add_argument("--manifest", required=True)
    parser.add_argument(
        "--skip-admin", action="store_true", help="the database already has the modules activated"
    )
    args = parser.parse_args(argv)
    args.data_path = data_path_of(args.config)

    if not args.skip_admin:
        run_admin(args)

    from proteus import config as proteus_config

    config = proteus_config.set_trytond(database=args.database, config_file=args.config)
    config.skip_warning = True
    seeder = Seeder(config)
    seeder.run()
    manifest = Path(args.manifest)
    manifest.write_text(
        json.dumps(seeder.manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    )
    step(
        f"done: {len(seeder.products)} products, "
        f"{len(seeder.customers)} customers, {len(seeder.invoices)} invoices, "
        f"{len(seeder.sales)} sales; manifest written"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
