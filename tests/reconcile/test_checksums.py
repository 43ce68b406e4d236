import pytest

from ecomrules.reconcile.checksums import (
    is_valid_fi,
    is_valid_iso11649,
    is_valid_kid,
    is_valid_ogm,
    is_valid_qrr,
    structured_kind,
)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("RF18539007547034", True),
        ("RF18 5390 0754 7034", True),
        ("rf18539007547034", True),
        ("RF18539007547035", False),
        ("RF71 4", False),
        ("RF", False),
    ],
)
def test_iso11649(text: str, valid: bool) -> None:
    assert is_valid_iso11649(text) is valid


def test_swiss_qr_reference() -> None:
    assert is_valid_qrr("21 00000 00003 13947 14300 09017")
    assert not is_valid_qrr("210000000003139471430009018")
    assert not is_valid_qrr("2100000000031394714300090")


def test_belgian_structured_communication() -> None:
    assert is_valid_ogm("+++090/9337/55493+++")
    assert not is_valid_ogm("+++090/9337/55494+++")
    assert is_valid_ogm("000000009797")  # 97 stands for a remainder of 0


def test_finnish_reference() -> None:
    assert is_valid_fi("1232")
    assert is_valid_fi("1234 5672")
    assert not is_valid_fi("1233")


def test_norwegian_kid_mod10_and_mod11() -> None:
    assert is_valid_kid("12345678903")  # Luhn
    assert is_valid_kid("12343")  # mod 11 only
    assert is_valid_kid("6-")  # mod 11 remainder 10 is written '-'
    assert not is_valid_kid("12342")
    assert not is_valid_kid("12345678904")


def test_structured_kind_names_the_scheme() -> None:
    assert structured_kind("RF18 5390 0754 7034") == "rf"
    assert structured_kind("210000000003139471430009017") == "qrr"
    assert structured_kind("+++090/9337/55493+++") == "ogm"
    assert structured_kind("RF18539007547035") is None
    assert structured_kind("INV-1234") is None


@pytest.mark.parametrize(
    "text", ["12\u00b24", "RF\u00b2\u00b2ABC", "1234\u00b2", "+++12\u00b2/4567/89012+++"]
)
def test_digits_of_other_scripts_are_no_reference(text: str) -> None:
    """'²' passes str.isdigit and broke int(): a statement's text is not a reference then."""
    assert structured_kind(text) is None
