"""Tax ids of legal entities (P3) are checked by their check digits, country by country."""

import pytest

from core.customers.taxids import clean_tax_id, tax_id_problems

# Public registration numbers of well-known companies, and synthetic numbers for individuals.
VALID = [
    ("RU", "7707083893", "773601001"),  # Sberbank: INN of an organisation with its KPP
    ("RU", "7736207543", "770401001"),  # Yandex
    ("RU", "500100732259", ""),  # an entrepreneur's 12-digit INN: no KPP
    ("RU", "7707083893", "7736AB001"),  # KPP reason codes may be letters since 2013
    ("KZ", "971240001315", ""),  # Kaspi Bank BIN
    ("KZ", "940140000385", ""),  # Halyk Bank BIN
    ("KZ", "900515300127", ""),  # an individual's IIN (synthetic)
    ("UA", "14360570", ""),  # PrivatBank EDRPOU
    ("UA", "40075815", ""),  # Ukrzaliznytsia EDRPOU (weights of the 30-60 million range)
    ("UA", "00032129", ""),  # Oschadbank EDRPOU, leading zeros kept
    ("UA", "3054817268", ""),  # an entrepreneur's RNOKPP (synthetic)
    ("ES", "A28015865", ""),  # Telefónica CIF, digit control
    ("ES", "P2807900B", ""),  # Ayuntamiento de Madrid, letter control
    ("ES", "12345678Z", ""),  # DNI-based NIF
    ("ES", "X1234567L", ""),  # NIE
    ("ES", "ESA28015865", ""),  # with the EU VAT prefix
]


@pytest.mark.parametrize(("country", "tax_id", "kpp"), VALID)
def test_real_tax_ids_pass(country, tax_id, kpp):
    tax_id = clean_tax_id(tax_id).removeprefix("ES") if country == "ES" and len(tax_id) == 11 else tax_id
    assert tax_id_problems(country, tax_id, kpp) == {}


INVALID = [
    ("RU", "7707083894", "773601001", "tax_id", "check digits"),  # last digit changed
    ("RU", "500100732258", "", "tax_id", "check digits"),
    ("RU", "770708389", "773601001", "tax_id", "10 digits"),
    ("RU", "7707083893", "", "kpp", "KPP"),  # an organisation needs its KPP
    ("RU", "7707083893", "77360100", "kpp", "9 characters"),
    ("RU", "500100732259", "773601001", "kpp", "10-digit INN"),  # entrepreneurs have none
    ("KZ", "971240001316", "", "tax_id", "check digit"),
    ("KZ", "97124000131", "", "tax_id", "12 digits"),
    ("UA", "14360571", "", "tax_id", "check digit"),
    ("UA", "3054817269", "", "tax_id", "check digit"),
    ("UA", "1436057", "", "tax_id", "8 digits"),
    ("UA", "14360570", "773601001", "kpp", "Russian"),
    ("ES", "A28015866", "", "tax_id", "control"),
    ("ES", "12345678A", "", "tax_id", "control"),
    ("ES", "X1234567A", "", "tax_id", "control"),
    ("ES", "P28079002", "", "tax_id", "control"),  # this type must end with a letter
    ("ES", "1234", "", "tax_id", "9 characters"),
    ("DE", "123456789", "", "legal_country", "Spain"),
]


@pytest.mark.parametrize(("country", "tax_id", "kpp", "field", "words"), INVALID)
def test_wrong_tax_ids_are_refused_with_a_reason(country, tax_id, kpp, field, words):
    problems = tax_id_problems(country, tax_id, kpp)
    assert field in problems and words in problems[field]


def test_typed_separators_and_case_are_ignored():
    assert clean_tax_id(" a-28.015 865 ") == "A28015865"
    assert clean_tax_id("7707 083 893") == "7707083893"


def test_full_width_digits_are_read_as_digits():
    assert clean_tax_id("７７０７０８３８９３") == "7707083893"
    assert tax_id_problems("RU", clean_tax_id("７７０７０８３８９３"), clean_tax_id("７７３６０１００１")) == {}


@pytest.mark.parametrize(
    ("country", "tax_id", "words"),
    [
        ("RU", "٧٧٠٧٠٨٣٨٩٣", "10 digits"),  # Arabic-Indic digits: isdigit() says yes, int() too
        ("KZ", "٩٧١٢٤٠٠٠١٣١٥", "12 digits"),
        ("UA", "١٤٣٦٠٥٧٠", "8 digits"),
        ("UA", "٣٠٥٤٨١٧٢٦٨", "10 digits"),
        ("ES", "١٢٣٤٥٦٧٨Z", "9 characters"),
    ],
)
def test_digits_of_other_scripts_are_refused_with_a_reason_not_an_exception(country, tax_id, words):
    assert words in tax_id_problems(country, clean_tax_id(tax_id))["tax_id"]


def test_characters_that_only_look_like_digits_are_refused():
    # "²" passes str.isdigit() but int() refuses it: before, these raised ValueError.
    for country, text in [("RU", "²" * 10), ("UA", "²" * 8), ("UA", "¹" * 10), ("KZ", "³" * 12)]:
        assert "tax_id" in tax_id_problems(country, text)
