"""What the demo shop sells: categories, the brands that make each kind of part, their article
number formats, and how car makers number their original (OE) parts.

Patterns: `#` is a digit, `@` an upper-case letter, anything else is written as is; a brand with
several patterns has several product lines.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINE, GENERATION, CLUTCH = "engine", "generation", "generation+engine"
BURNING = ("petrol", "diesel", "hybrid")


@dataclass(frozen=True)
class PartKind:
    path: str  # category path
    name: str  # the part's name in the catalogue
    keyed_by: str  # what decides which vehicles one part fits
    positions: tuple[str, ...]  # a family per position ("" when it has none)
    fuels: tuple[str, ...]  # for engine parts: which engines have one
    price: tuple[int, int]  # euros, typical range
    attributes: tuple[tuple[str, object], ...]  # (label, (low, high, decimals, unit) or choices)
    brands: tuple[tuple[str, tuple[str, ...]], ...]  # specialists: (brand, patterns)
    oe_code: str  # the middle of VAG-style OE numbers for this kind of part


def _mm(low: float, high: float, decimals: int = 1) -> tuple:
    return (low, high, decimals, "mm")


KINDS: tuple[PartKind, ...] = (
    PartKind("Brakes/Brake pads", "Brake pad set, disc brake", GENERATION, ("front axle", "rear axle"), (), (18, 75),
             (("Width", _mm(95, 165)), ("Height", _mm(45, 75)), ("Thickness", _mm(15, 20.5)),
              ("Wear warning contact", ("prepared for wear indicator", "with acoustic wear warning", "excl. wear warning contact"))),
             (("Bosch", ("0 986 494 ###", "0 986 424 ###")), ("TRW", ("GDB####",)), ("Brembo", ("P ## ###", "P ## ###X")),
              ("ATE", ("13.0460-####.2", "13.0470-####.2")), ("Textar", ("2####01",)), ("Ferodo", ("FDB####", "FDS####")),
              ("Mintex", ("MDB####",)), ("Jurid", ("573###J",)), ("Pagid", ("T####",)), ("Delphi", ("LP####",))),
             "698 151"),
    PartKind("Brakes/Brake discs", "Brake disc", GENERATION, ("front axle", "rear axle"), (), (25, 140),
             (("Diameter", _mm(239, 345, 0)), ("Brake disc thickness", _mm(9, 30)), ("Brake disc type", ("vented", "solid")),
              ("Number of holes", ("4", "5"))),
             (("Brembo", ("09.@###.1#", "08.@###.1#")), ("ATE", ("24.01##-0###.1",)), ("TRW", ("DF####", "DF####S")),
              ("Zimmermann", ("###.####.20",)), ("Bosch", ("0 986 479 ###",)), ("Textar", ("9####03",)),
              ("Ferodo", ("DDF####",)), ("Mintex", ("MDC####",)), ("Delphi", ("BG####",))),
             "615 301"),
    PartKind("Filters/Oil filters", "Oil filter", ENGINE, ("",), BURNING, (4, 18),
             (("Height", _mm(60, 140, 0)), ("Outer diameter", _mm(64, 93, 0)), ("Filter design", ("spin-on filter", "filter insert"))),
             (("Mann-Filter", ("W ###/##", "HU ### x")), ("Mahle", ("OC ###", "OX ### D")), ("Bosch", ("0 451 103 ###", "F 026 407 ###")),
              ("Knecht", ("OC ###",)), ("Filtron", ("OP ###", "OE ###/#")), ("Purflux", ("LS ###", "L###")),
              ("Hengst", ("H##W##",)), ("UFI", ("23.###.00",)), ("Fram", ("PH####",)), ("Champion", ("COF100###",))),
             "115 561"),
    PartKind("Filters/Air filters", "Air filter", ENGINE, ("",), BURNING, (7, 30),
             (("Length", _mm(180, 350, 0)), ("Width", _mm(120, 260, 0)), ("Height", _mm(35, 80, 0))),
             (("Mann-Filter", ("C ## ###",)), ("Mahle", ("LX ####",)), ("Bosch", ("F 026 400 ###",)), ("Filtron", ("AP ###/#",)),
              ("Purflux", ("A####",)), ("Hengst", ("E####L",)), ("UFI", ("30.###.00",)), ("Fram", ("CA#####",))),
             "129 620"),
    PartKind("Filters/Cabin filters", "Cabin air filter", GENERATION, ("",), (), (8, 35),
             (("Length", _mm(180, 300, 0)), ("Width", _mm(150, 250, 0)), ("Filter type", ("pollen filter", "activated carbon filter"))),
             (("Mann-Filter", ("CU ####", "CUK ####")), ("Mahle", ("LA ###", "LAK ###")), ("Bosch", ("1 987 432 ###",)),
              ("Filtron", ("K ####", "K ####A")), ("Purflux", ("AH###",)), ("Hengst", ("E####LI",)), ("Corteco", ("80 00# ###",)),
              ("Valeo", ("715###",))),
             "819 653"),
    PartKind("Filters/Fuel filters", "Fuel filter", ENGINE, ("",), ("diesel", "petrol"), (10, 55),
             (("Height", _mm(90, 200, 0)), ("Outer diameter", _mm(55, 100, 0))),
             (("Mann-Filter", ("WK ###/##",)), ("Mahle", ("KL ###",)), ("Bosch", ("F 026 402 ###",)), ("Filtron", ("PP ###/#",)),
              ("Purflux", ("FCS###",)), ("Hengst", ("H###WK",)), ("UFI", ("24.###.00",)), ("Delphi", ("HDF###",))),
             "127 177"),
    PartKind("Ignition/Spark plugs", "Spark plug", ENGINE, ("",), ("petrol", "hybrid"), (3, 22),
             (("Thread size", ("M14x1.25", "M12x1.25")), ("Electrode gap", _mm(0.7, 1.1, 2)),
              ("Spark position", ("3 mm", "5 mm", "7 mm"))),
             (("NGK", ("BKR#E-11", "ILKAR#@##", "LZKR#@-#")), ("Bosch", ("0 242 2## ###",)), ("Denso", ("K##TT", "IK##TT")),
              ("Champion", ("RN#YC", "OE###")), ("Beru", ("Z###",)), ("Brisk", ("DR##YC",))),
             "101 905"),
    PartKind("Ignition/Glow plugs", "Glow plug", ENGINE, ("",), ("diesel",), (8, 30),
             (("Thread size", ("M8x1", "M10x1")), ("Voltage", ("4.4 V", "5 V", "11 V"))),
             (("Bosch", ("0 250 2## ###",)), ("NGK", ("Y-###J",)), ("Beru", ("0 100 2## ###",)), ("Champion", ("CH###",)),
              ("Denso", ("DG-###",))),
             "963 319"),
    PartKind("Ignition/Ignition coils", "Ignition coil", ENGINE, ("",), ("petrol", "hybrid"), (25, 90),
             (("Number of connectors", ("1", "3", "4")),),
             (("Bosch", ("0 221 504 ###", "0 986 221 ###")), ("Beru", ("ZSE ###",)), ("NGK", ("U5###", "48###")),
              ("Denso", ("673-####",)), ("Magneti Marelli", ("060717###",)), ("Valeo", ("245###",))),
             "905 715"),
    PartKind("Belts and chains/Timing belt kits", "Timing belt kit", ENGINE, ("",), ("petrol", "diesel"), (55, 230),
             (("Number of teeth", (137, 163, 0, "")), ("Width", _mm(18, 30, 0))),
             (("Gates", ("K015###XS", "K025###XS")), ("Contitech", ("CT####K#",)), ("INA", ("530 0### 10",)),
              ("Dayco", ("KTB###",)), ("SKF", ("VKMA 0####",)), ("Bosch", ("1 987 948 ###",))),
             "198 119"),
    PartKind("Belts and chains/V-ribbed belts", "V-ribbed belt", ENGINE, ("",), BURNING, (8, 35),
             (("Length", _mm(850, 2200, 0)), ("Number of ribs", ("4", "5", "6", "7"))),
             (("Gates", ("6PK####", "5PK####")), ("Contitech", ("6PK####",)), ("Dayco", ("6PK####",)),
              ("Bosch", ("1 987 947 ###",)), ("SKF", ("VKMV 6PK####",))),
             "903 137"),
    PartKind("Cooling/Water pumps", "Water pump", ENGINE, ("",), ("petrol", "diesel"), (30, 130),
             (("Number of blades", ("6", "7", "8")), ("Impeller material", ("plastic", "metal"))),
             (("SKF", ("VKPC #####",)), ("INA", ("538 0### 10",)), ("Gates", ("WP0###",)), ("Hepu", ("P###",)),
              ("Graf", ("PA###",)), ("Airtex", ("1###",)), ("Dolz", ("@###",))),
             "121 011"),
    PartKind("Suspension/Shock absorbers", "Shock absorber", GENERATION, ("front axle", "rear axle"), (), (35, 160),
             (("Shock absorber type", ("gas pressure", "oil pressure", "twin-tube")), ("Length", _mm(280, 560, 0))),
             (("KYB", ("33####", "34####", "63####")), ("Sachs", ("### ###",)), ("Monroe", ("G####", "E####")),
              ("Bilstein", ("22-######", "19-######")), ("Boge", ("32-@##-@",))),
             "413 031"),
    PartKind("Suspension/Stabiliser links", "Stabiliser link", GENERATION, ("front axle", "rear axle"), (), (7, 35),
             (("Length", _mm(180, 320, 0)), ("Thread size", ("M10x1.5", "M12x1.5"))),
             (("Lemförder", ("#####0#",)), ("TRW", ("JTS###",)), ("Moog", ("@@-LS-####",)), ("Delphi", ("TC####",)),
              ("Meyle", ("116 060 0###",))),
             "411 315"),
    PartKind("Suspension/Control arms", "Track control arm", GENERATION, ("front axle left", "front axle right"), (), (28, 140),
             (("Control arm type", ("wishbone", "transverse control arm")), ("Ball joint", ("with ball joint", "without ball joint"))),
             (("Lemförder", ("#####0#",)), ("TRW", ("JTC####",)), ("Moog", ("@@-WP-####",)), ("Delphi", ("TC####",)),
              ("Meyle", ("116 050 0###/HD",))),
             "407 151"),
    PartKind("Suspension/Wheel bearings", "Wheel bearing kit", GENERATION, ("front axle", "rear axle"), (), (22, 110),
             (("Inner diameter", _mm(25, 45, 0)), ("Outer diameter", _mm(52, 85, 0))),
             (("SKF", ("VKBA ####",)), ("FAG", ("713 6## ###",)), ("SNR", ("R1##.##",)), ("Optimal", ("######",)),
              ("Ruville", ("5####",))),
             "498 621"),
    PartKind("Clutch/Clutch kits", "Clutch kit", CLUTCH, ("",), ("petrol", "diesel"), (110, 420),
             (("Diameter", _mm(200, 240, 0)), ("Number of teeth", ("20", "23", "28"))),
             (("LuK", ("6## #### ##",)), ("Sachs", ("3000 ### ###",)), ("Valeo", ("826###", "835###")), ("Exedy", ("@@K####",))),
             "141 015"),
    PartKind("Wipers/Wiper blades", "Wiper blade set", GENERATION, ("front",), (), (10, 40),
             (("Length", _mm(350, 700, 0)), ("Wiper blade type", ("flat blade", "conventional blade"))),
             (("Bosch", ("3 397 118 ###", "3 397 007 ###")), ("Valeo", ("574###", "577###")), ("SWF", ("119###",)),
              ("Denso", ("DF-###",)), ("Champion", ("AF##/@##",))),
             "955 425"),
)  # fmt: skip

# Aftermarket brands that make almost everything, each with its one numbering scheme.
GENERALISTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Febi Bilstein", ("#####",)), ("SWAG", ("## ## ####",)), ("Blue Print", ("AD@######",)), ("Meyle", ("0## ### ####",)),
    ("Ridex", ("###@####",)), ("Stark", ("SK@@-#######",)), ("Kraft Automotive", ("6######",)),
    ("Japanparts", ("@@-###@@",)), ("Nipparts", ("N#######",)), ("Herth+Buss Jakoparts", ("J#######",)),
    ("Ashika", ("##-##-###",)), ("Maxgear", ("##-####",)), ("Metzger", ("#######",)), ("Topran", ("### ###",)),
    ("Vaico", ("V##-####",)), ("NK", ("22####",)), ("Kamoka", ("JQ1#####",)), ("Patron", ("P@@####",)),
)  # fmt: skip

# How each car maker writes its own part numbers ({code} is the kind of part's VAG-style code).
OE_PATTERNS = {
    "VAG": "@#0 {code} @",
    "Toyota": "#####-##0#0",
    "Ford": "# ### ###",
    "BMW": "## ## # ### ###",
    "Mercedes-Benz": "A ### ### ## ##",
    "Lada": "#####-#######-##",
    "Renault": "#########R",
    "Hyundai/Kia": "#####-#@@##",
    "Nissan": "#####-@@@#@",
    "Opel": "## ## ###",
    "PSA": "####.@#",
    "Mazda": "@@@@-##-###",
    "Honda": "#####-@@@-@##",
    "GM": "9#######",
    "Mitsubishi": "####@###",
}
