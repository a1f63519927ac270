"""How article numbers, brands and category names are compared (no database needed)."""

import pytest

from core.catalogue.normalise import brand_key, fold_word, normalise_article, search_text, slugify


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("0 986-452.041", "0986452041"),
        ("0986452041", "0986452041"),
        ("0 986 452 041", "0986452041"),
        ("w 712/75", "W71275"),
        ("W_712\\75", "W71275"),
        ("13.0460-7174.2", "13046071742"),
        ("1k0-698-151-a", "1K0698151A"),
        ("  gdb\t1550 ", "GDB1550"),
        ("0\u00a0986\u2013452\u2014041", "0986452041"),  # no-break space, en and em dashes
    ],
)
def test_separators_and_case_are_ignored(written, normalised):
    assert normalise_article(written) == normalised


def test_cyrillic_lookalikes_become_latin_in_both_cases():
    cyrillic_upper = "АВСЕКМНОРТХ"
    cyrillic_lower = "авсекмнортх"
    assert normalise_article(cyrillic_upper) == "ABCEKMHOPTX"
    assert normalise_article(cyrillic_lower) == "ABCEKMHOPTX"
    # A part number typed on a Cyrillic keyboard matches the Latin one.
    assert normalise_article("К20ТТ") == normalise_article("K20TT") == "K20TT"
    assert normalise_article("1К0 698 151 А") == "1K0698151A"
    assert normalise_article("Ukrainian І") == "UKRAINIANI"


def test_other_cyrillic_letters_are_kept_so_they_do_not_match_latin():
    assert normalise_article("Ж-12") == "Ж12"
    assert normalise_article("Ж-12") != normalise_article("X-12")


def test_nothing_left_means_no_number():
    assert normalise_article(" - . / _ ") == ""


def test_brand_key_ignores_case_and_spacing():
    assert brand_key("Mann-Filter") == brand_key("MANN-FILTER") == brand_key("  mann-filter ")
    assert brand_key("Febi  Bilstein") == "FEBI BILSTEIN"


def test_search_text_is_case_folded_for_every_alphabet():
    text = search_text("Lada", "Фильтр масляный", "21080-1012005-08", "21080101200508")
    assert "фильтр" in text and "lada" in text and "21080-1012005-08" in text


def test_search_text_holds_the_category_names_in_every_language():
    text = search_text(
        "TRW", "Brake pad set", "GDB1550", "GDB1550", ("Brake pads", "Гальмівні колодки", "", "Pastillas")
    )
    assert "brake pads" in text and "гальмівні колодки" in text and "pastillas" in text


@pytest.mark.parametrize(
    ("word", "folded"),
    [("Колодка", "колодк"), ("колодки", "колодк"), ("масляный", "маслян"), ("МАСЛЯНІ", "маслян"),
     ("фильтр", "фильтр"), ("свечи", "свеч"), ("Pastillas", "pastillas"), ("ГРМ", "грм"), ("мая", "мая")],
)  # fmt: skip
def test_search_words_leave_off_a_changing_cyrillic_ending(word, folded):
    assert fold_word(word) == folded


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Škoda", "skoda"), ("Brake pads", "brake-pads"), ("Belts and chains", "belts-and-chains"),
     ("Citroën", "citroen"), ("Фильтры", "фильтры"), ("Mercedes-Benz", "mercedes-benz"), ("3 Series", "3-series")],
)  # fmt: skip
def test_slugs(name, slug):
    assert slugify(name) == slug
