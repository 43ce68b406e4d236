"""IBAN checks (ISO 13616) against python-stdnum's own validation, and their reasons."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from ecomrules.reconcile.iban import IbanCheck, describe_problem
from ecomrules.reconcile.records import normalise_iban

VALID = (
    "FR7630006000011234567890189",
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "CH9300762011623852957",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "NO9386011117947",
    "IT60X0542811101000000123456",
)


@pytest.mark.parametrize("number", VALID)
def test_valid_ibans_pass(number: str) -> None:
    assert IbanCheck().problem(number) is None


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("FR7630006000011234567890188", "checksum"),  # last digit mistyped
        ("FR7630006000011234567890198", "checksum"),  # two digits swapped
        ("FR76300060000112345678901", "length"),  # too short for France
        ("DE893704004405320130001", "length"),  # too long for Germany
        ("QQ7630006000011234567890189", "country"),
        ("76FR30006000011234567890189", "country"),
        ("", "country"),
        ("GB82WEST1234569876543Z", "format"),  # a letter where the account has digits
        ("BE68539007547035", "checksum"),
        ("BE68539007547034", "national"),  # mod 97 holds, the Belgian check digits do not
    ],
)
def test_invalid_ibans_name_their_problem(number: str, problem: str) -> None:
    found = IbanCheck().problem(number)
    assert found == problem
    assert describe_problem(problem)


def _moved(text: str) -> str:
    return text[4:] + text[:4]


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """Valid IBANs, and the same with one character changed, swapped, dropped or added."""
    base = draw(st.sampled_from(VALID))
    how = draw(st.sampled_from(["keep", "change", "swap", "drop", "add", "country"]))
    at = draw(st.integers(0, len(base) - 1))
    if how == "change":
        base = base[:at] + draw(st.sampled_from("0123456789AZ")) + base[at + 1 :]
    elif how == "swap" and at + 1 < len(base):
        base = base[:at] + base[at + 1] + base[at] + base[at + 2 :]
    elif how == "drop":
        base = base[:at] + base[at + 1 :]
    elif how == "add":
        base = base[:at] + draw(st.sampled_from("0123456789")) + base[at:]
    elif how == "country":
        base = draw(st.sampled_from(["AT", "BE", "DK", "LU", "PL", "SE", "XK", "ZZ"])) + base[2:]
    return base


@settings(max_examples=400)
@given(ibans())
def test_agrees_with_stdnum(number: str) -> None:
    """Valid here exactly when python-stdnum's full validation says so."""
    assert (IbanCheck().problem(number) is None) == stdnum_iban.is_valid(number)


def test_normalised_before_checking() -> None:
    assert IbanCheck().problem(normalise_iban("fr76 3000-6000.0112 3456 7890 189")) is None
