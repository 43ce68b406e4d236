"""Golden files for MT940, MT942, CFONB 120 and BAI2 cases written from the public specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecomrules.errors import ControlTotalError, MalformedRecordError, ParseError
from ecomrules.parsing.registry import detect, get_parser
from ecomrules.testing.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"

# Year roll-over (January value dates, December entry dates), RC/RD reversals,
# German GVC and Dutch tag details, a CR line end, a cp1252 byte, a trailing 0x1A.
MT940_ROLLOVER = (
    b"{1:F01TESTDEFFAXXX0000000000}{2:I940TESTDEFFXXXXN}{4:\r\n"
    b":20:STARTUMS\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n"
    b":60F:C250102EUR1000,00\r\n"
    b":61:2501021231D100,50NDDTNONREF//B1\r\n"
    b":86:105?00SEPA-BASISLASTSCHRIFT?20EREF+INV-2024-118 MREF+M-7?21"
    b"7 SVWZ+Rechnung 2024-118?30COBADEFFXXX?31DE02120300000000202051?32Stadtwerke M\xfc\r"
    b"?33nchen\r\n"
    b":61:2501030103RD20,00NRTINONREF\n"
    b":86:/EREF/ORDER-4711/NAME/Shop Kunde/IBAN/NL91ABNA0417164300/REMI/Rueckbuchung Order 4711\n"
    b":61:2501030103RC5,25NMSCNONREF\n"
    b":86:STORNO GUTSCHRIFT\n"
    b":62F:C250103EUR914,25\r\n-}\r\n\x1a"
)

MT940_FEBRUARY_30 = (
    b":20:X\n:25:12345678/99\n:28C:1\n:60F:C250227EUR10,00\n"
    b":61:2502300301D1,00NCHGNONREF\n:86:Kontofuehrung\n:62F:C250301EUR9,00\n-\n"
)

MT942 = (
    b":20:INTRADAY\n:25:NL91ABNA0417164300\n:28C:7/1\n:34F:EURD0,\n:13D:2501151030+0100\n"
    b":61:250115C250,00NTRFEREF//A1\n:86:/EREF/ORDER-1/NAME/Alice/REMI/Order 1\n"
    b":61:250115D12,30NCHGNONREF\n:86:Bank fee\n"
    b":90D:1EUR12,30\n:90C:1EUR250,00\n-\n"
)


def _record(*fields: tuple[int, str]) -> str:
    """A 120-character record with each text placed at its 1-based column."""
    chars = [" "] * 120
    for column, text in fields:
        chars[column - 1 : column - 1 + len(text)] = text
    return "".join(chars)


def _head(code: str, decimals: str = "2", op: str = "    ", interbank: str = "  ") -> tuple:
    return (
        (1, code),
        (3, "30004"),
        (8, op),
        (12, "00123"),
        (17, "EUR"),
        (20, decimals),
        (22, "00012345678"),
        (33, interbank),
    )


# Old balance, a credit with complements (payer, client reference, label, original
# currency and rate, an unknown bank qualifier), a debit in a 3-decimal record with
# its mandate, new balance; CRLF.
CFONB = "\r\n".join(
    [
        _record(*_head("01"), (35, "020125"), (91, "0000000010000{")),
        _record(
            *_head("04", op="0560", interbank="05"),
            (35, "020125"),
            (43, "030125"),
            (49, "VIR SEPA RECU"),
            (82, "1234567"),
            (91, "0000000002505{"),
            (105, "FAC-2025-001"),
        ),
        _record(
            *_head("05", interbank="05"), (35, "020125"), (46, "NPY"), (49, "BOUTIQUE EXEMPLE SARL")
        ),
        _record(
            *_head("05", interbank="05"),
            (35, "020125"),
            (46, "RCN"),
            (49, "E2E-REF-0001"),
            (84, "PAIEMENT FACTURE 001"),
        ),
        _record(
            *_head("05", interbank="05"), (35, "020125"), (46, "LIB"), (49, "FACTURE 001 JANVIER")
        ),
        _record(
            *_head("05", interbank="05"),
            (35, "020125"),
            (46, "MMO"),
            (49, "USD2"),
            (53, "00000000027000"),
            (67, "07"),
            (69, "00009250000"),
        ),
        _record(
            *_head("05", interbank="05"),
            (35, "020125"),
            (46, "AAA"),
            (49, "QUALIFIANT PROPRE A LA BANQUE"),
        ),
        _record(
            *_head("04", "3", interbank="08"),
            (35, "020125"),
            (43, "020125"),
            (49, "PRLV SEPA ABONNEMENT"),
            (91, "0000000012340}"),
        ),
        _record(
            *_head("05", "3", interbank="08"),
            (35, "020125"),
            (46, "RUM"),
            (49, "MANDAT-42"),
            (84, "RCUR"),
        ),
        _record(*_head("07"), (35, "030125"), (91, "0000000011271{")),
    ]
).encode("latin-1")

BAI2 = (
    b"01,SENDER,RECEIVER,250115,0600,1,80,,2/\n"
    b"02,RECEIVER,SENDER,1,250114,2400,USD,2/\n"
    b"03,12345,,010,+100000,,,015,+123456,,,100,25000,1,,400,1544,2,/\n"
    b"16,195,25000,D,2,0,20000,1,5000,WIRE1,ORDER-77,INCOMING WIRE/ 16,451,1000,V,250115,,ACH1,,\n"
    b"88,ACH DEBIT, UTILITY/\n"
    b"16,699,544,0,FEE1,,MONTHLY FEE/\n"
    b"49,276544,6/\n"
    b"98,276544,1,8/\n"
    b"99,276544,1,10/\n"
)

CASES = {
    "mt940_rollover_reversals": ("bank.mt940", MT940_ROLLOVER, "collect"),
    "mt940_february_30_lenient": ("bank.mt940", MT940_FEBRUARY_30, "collect"),
    "mt942_intraday": ("bank.mt942", MT942, "raise"),
    "cfonb120_complements": ("bank.cfonb120", CFONB, "raise"),
    "bai2_funds_and_continuations": ("bank.bai2", BAI2, "raise"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    name, data, mode = CASES[case]
    assert detect(data[:65536], case).name == name
    result = get_parser(name).parse(data, source=case, on_error=mode)  # type: ignore[arg-type]
    assert_golden(result.to_json(), GOLDEN / f"{case}.expected.json")


def test_impossible_date_is_an_error_with_its_place() -> None:
    with pytest.raises(MalformedRecordError) as caught:
        get_parser("bank.mt940").parse(MT940_FEBRUARY_30, source="feb.sta")
    assert str(caught.value) == "feb.sta:5: :61: value date '250230' is not a date (YYMMDD)"


def test_mt940_balance_mismatch_is_a_control_total_error() -> None:
    broken = MT940_ROLLOVER.replace(b"EUR914,25", b"EUR914,26")
    with pytest.raises(ControlTotalError, match=r"closing balance is 914\.26"):
        get_parser("bank.mt940").parse(broken, source="x")


def test_mt942_sum_mismatch() -> None:
    broken = MT942.replace(b":90C:1EUR250,00", b":90C:1EUR250,01")
    result = get_parser("bank.mt942").parse(broken, source="x", on_error="collect")
    assert [(i.code, str(i.location)) for i in result.errors] == [
        ("bank.mt942.sum_mismatch", "x:11")
    ]


def test_cfonb_balance_mismatch_and_other_lengths() -> None:
    broken = CFONB.replace(b"0000000011271{", b"0000000011271A")
    with pytest.raises(ControlTotalError, match=r"1127.100, but the closing balance is 1127.11"):
        get_parser("bank.cfonb120").parse(broken, source="x")
    with pytest.raises(ParseError, match=r"^x:1: this is CFONB 240"):
        get_parser("bank.cfonb120").parse(b"31" + b"0" * 238 + b"\n", source="x")


def test_bai2_trailer_mismatch() -> None:
    broken = BAI2.replace(b"49,276544,6/", b"49,276545,6/")
    result = get_parser("bank.bai2").parse(broken, source="x", on_error="collect")
    # reported once, where it is wrong: 98 and 99 add up the trailers below them
    assert [(i.code, str(i.location)) for i in result.errors] == [
        ("bank.bai2.control_total", "x:7")
    ]
    assert result.errors[0].message == "account control total says 276545, the file holds 276544"
