"""Well-known real parts in the demo catalogue, so that a visitor who types a number they know
(`0986452041`, `W 712/75`, `BKR6E`, an OE number from the old part) finds it.

The article numbers and the OE and other makers' numbers are those of real parts as aftermarket
catalogues list them; the applications are the usual ones for those parts, limited to the cars
the demo knows. They make the demo believable; they are not a fitting reference: check a real
catalogue before ordering a part for a car.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownPart:
    brand: str
    article: str
    name: str
    category: str  # path, as in parts.csv
    euros: float
    stock: int
    description: str
    # (make, model, generation) it fits, limited to `engines` when they are given
    generations: tuple[tuple[str, str, str], ...]
    engines: tuple[str, ...]
    position: str
    references: tuple[tuple[str, str], ...]  # (brand, number): OE and other makers' numbers


_TOYOTA_SPIN_ON = (("Toyota", "Camry", "XV40"), ("Toyota", "Camry", "XV50"), ("Toyota", "RAV4", "XA30"),
                   ("Toyota", "RAV4", "XA40"))  # fmt: skip
_TOYOTA_ZR_AR = (("Toyota", "Corolla", "E150"), ("Toyota", "Corolla", "E180"), ("Toyota", "Corolla", "E210"),
                 ("Toyota", "Auris", "E150"), ("Toyota", "RAV4", "XA40"))  # fmt: skip
_GM_ECOTEC = (("Opel", "Astra", "H"), ("Opel", "Astra", "J"), ("Opel", "Corsa", "D"), ("Opel", "Zafira", "B"),
              ("Chevrolet", "Cruze", "J300"), ("Chevrolet", "Aveo", "T300"))  # fmt: skip
_PQ35 = (("Volkswagen", "Golf", "V"), ("Volkswagen", "Golf", "VI"), ("Škoda", "Octavia", "II"))
_HYUNDAI_GAMMA = (("Hyundai", "Solaris", "I"), ("Hyundai", "Solaris", "II"), ("Hyundai", "i30", "II"),
                  ("Hyundai", "Creta", "I"), ("Kia", "Rio", "III"), ("Kia", "Rio", "IV"))  # fmt: skip
_LADA_16V = (("Lada", "Granta", "I"), ("Lada", "Priora", "I"), ("Lada", "Vesta", "I"))

KNOWN_PARTS: tuple[KnownPart, ...] = (
    KnownPart("Bosch", "0 986 452 041", "Oil filter", "Filters/Oil filters", 8.9, 24,
              "Filter design: spin-on filter", _TOYOTA_SPIN_ON, ("1AZ-FE", "2AZ-FE", "2AR-FE"), "",
              (("Toyota", "90915-YZZD2"), ("Fram", "PH4967"))),
    KnownPart("Mann-Filter", "W 67/2", "Oil filter", "Filters/Oil filters", 7.9, 18,
              "Filter design: spin-on filter", _TOYOTA_SPIN_ON, ("1AZ-FE", "2AZ-FE", "2AR-FE"), "",
              (("Toyota", "90915-YZZD2"),)),
    KnownPart("Mann-Filter", "W 712/75", "Oil filter", "Filters/Oil filters", 7.45, 40,
              "Filter design: spin-on filter", _GM_ECOTEC, ("Z16XER", "Z18XER", "A14XER", "A16XER", "F16D4", "F18D4"),
              "", ()),
    KnownPart("TRW", "GDB1550", "Brake pad set, disc brake", "Brakes/Brake pads", 34.5, 8,
              "Wear warning contact: with acoustic wear warning", _PQ35, (), "front axle",
              (("VAG", "1K0 698 151"),)),
    KnownPart("NGK", "BKR6E", "Spark plug", "Ignition/Spark plugs", 4.2, 120,
              "Thread size: M14x1.25", _LADA_16V, ("21126", "21127", "21129"), "",
              (("Bosch", "FR7DC+"),)),
    KnownPart("NGK", "LZKR6B-10E", "Spark plug", "Ignition/Spark plugs", 6.9, 64,
              "Thread size: M14x1.25; Electrode gap: 1.00 mm", _HYUNDAI_GAMMA, ("G4FA", "G4FC", "G4FG"), "",
              (("Hyundai/Kia", "18846-10060"),)),
    KnownPart("Denso", "SK20R11", "Spark plug", "Ignition/Spark plugs", 9.8, 36,
              "Thread size: M12x1.25; Electrode gap: 1.10 mm", _TOYOTA_ZR_AR,
              ("1ZR-FE", "2ZR-FE", "2ZR-FXE", "2AR-FE"), "",
              (("Toyota", "90919-01253"), ("NGK", "ILKAR7B11"))),
)  # fmt: skip


def fits(part: KnownPart, vehicle: list[str]) -> bool:
    """Whether a vehicles.csv row is one of the part's applications."""
    make, model, generation, engine = vehicle[1], vehicle[2], vehicle[3], vehicle[5]
    return (make, model, generation) in part.generations and (not part.engines or engine in part.engines)
