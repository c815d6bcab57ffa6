import time

import pytest

from netral_nlp import Normalizer, normalize
from netral_nlp.text._tables import SLANG


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Camat ikut kampanye paslon 02", "camat ikut kampanye pasangan calon 02"),
        ("yg gak udh bgt", "yang tidak sudah banget"),
        ("parahhh bangeeet", "parah banget"),
        ("orang2 dapet amplop", "orang-orang dapat amplop"),
        ("cek https://t.co/AbC123 dan www.contoh.id/x", "cek url dan url"),
        ("@Bawaslu_RI tolong", "@user tolong"),
        ("#TolakPolitikUang sekarang", "tolak politik uang sekarang"),
        ("mantap 😡🔥👍🏽 sekali", "mantap sekali"),
        ("  banyak\n\t spasi   ", "banyak spasi"),
        ("wkwkwk lucu", "lucu"),
    ],
)
def test_normalisation_steps(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["", "   \n\t", "🙏🙏🙏", "\u200b\u200b"])
def test_empty_like_texts_normalise_to_nothing(raw):
    assert normalize(raw) == ""


def test_double_letters_are_kept():
    assert normalize("maaf saat taat") == "maaf saat taat"


def test_email_like_at_is_not_a_mention():
    assert "@user" not in normalize("kirim ke info@kpu.go.id")


def test_flags_switch_steps_off():
    n = Normalizer(lowercase=False, expand_slang=False, replace_urls=False)
    assert n("Yg LINK https://x.id") == "Yg LINK https://x.id"


def test_config_roundtrip_ignores_unknown_keys():
    n = Normalizer(max_chars=10, expand_slang=False)
    assert Normalizer.from_dict({**n.to_dict(), "future_option": 1}) == n


def test_max_chars_caps_input():
    assert normalize("a " * 100_000).count("a") == 25_000


def test_one_megabyte_string_is_fast():
    text = ("SEBARKAN!!! amplop serangan fajar 😡 https://t.co/x @user #Pemilu2024 " * 15_000)[:1_000_000]
    start = time.perf_counter()
    out = normalize(text)
    assert out and time.perf_counter() - start < 5


def test_slang_table_is_lower_case_and_has_no_identity_entries():
    assert all(k == k.lower() for k in SLANG)
    assert not [k for k, v in SLANG.items() if k == v]
