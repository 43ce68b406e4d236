"""One scenario per matching rule, each read as a small spec."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from ecomrules.errors import FieldValueError, ReconcileError
from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.parsing.model import LineKind, Payout, StatementLine
from ecomrules.reconcile import Match, Matcher, MatchResult, MatchStatus, default_settings
from ecomrules.reconcile.settings import MatcherSettings
from ecomrules.testing.reconcile import item, line

IBAN = "FR7630006000011234567890189"


def only(result: MatchResult) -> Match:
    assert len(result.matches) == 1, result
    return result.matches[0]


def allocated(match: Match) -> dict[str, str]:
    return {a.item_id: str(a.amount.amount) for a in match.allocations}


def test_reference_exact_is_auto() -> None:
    result = Matcher().match([line("L1", "120.00", refs=("INV-A",))], [item("A", "120.00")])
    match = only(result)
    assert match.status is MatchStatus.AUTO
    assert allocated(match) == {"A": "120.00"}
    assert match.codes[:2] == ("reconcile.reference.exact", "reconcile.amount.exact")
    assert result.unmatched_items == ()
    assert result.unmatched_lines == ()


def test_reference_normalised_case_separators_leading_zeros() -> None:
    items = [item("A", "120.00", number="INV-000123")]
    match = only(Matcher().match([line("L1", "120.00", refs=("inv 123",))], items))
    assert match.codes[0] == "reconcile.reference.normalised"
    assert match.status is MatchStatus.AUTO


def test_structured_reference_checked_by_checksum() -> None:
    items = [item("A", "50.00", reference="RF18539007547034")]
    match = only(Matcher().match([line("L1", "50.00", refs=("RF18539007547034",))], items))
    assert match.codes[0] == "reconcile.reference.structured"


def test_reference_found_in_free_text() -> None:
    items = [item("A", "75.10", number="FA-2026-1002"), item("B", "75.10", number="FA-2026-1003")]
    lines = [line("L1", "75.10", label="VIR SEPA fa 2026 1003 merci")]
    match = only(Matcher().match(lines, items))
    assert allocated(match) == {"B": "75.10"}
    assert match.codes[0] == "reconcile.reference.in_text"


def test_reference_with_a_typo_is_matched_fuzzily_by_amount_and_party() -> None:
    items = [item("A", "310.00", number="INV-2026-4711", iban=IBAN)]
    lines = [line("L1", "310.00", refs=("INV-2026-4171",), iban=IBAN)]
    match = only(Matcher().match(lines, items))
    assert match.codes[0] == "reconcile.reference.fuzzy"
    assert match.status is MatchStatus.AUTO


def test_typo_hitting_another_invoice_loses_to_the_right_one() -> None:
    items = [
        item("A", "310.00", number="INV-4711", iban=IBAN),
        item(
            "B",
            "99.00",
            number="INV-4171",
            partner="C2",
            name="Other GmbH",
            iban="DE89370400440532013000",
        ),
    ]
    lines = [line("L1", "310.00", refs=("INV-4171",), iban=IBAN, name="Librairie Martin")]
    match = only(Matcher().match(lines, items))
    assert allocated(match) == {"A": "310.00"}


def test_psp_fee_kept_from_the_payment() -> None:
    lines = [line("L1", "97.10", refs=("INV-A",), fee="2.90", kind=LineKind.CHARGE)]
    match = only(Matcher().match(lines, [item("A", "100.00")]))
    assert match.codes[1] == "reconcile.amount.within_fee"
    assert allocated(match) == {"A": "100.00"}
    assert match.fee == 290
    assert match.write_off == 0


def test_underpaid_within_tolerance_proposes_a_write_off() -> None:
    match = only(Matcher().match([line("L1", "98.50", label="INV-7")], [item("7", "100.00")]))
    assert match.status is MatchStatus.AUTO
    assert allocated(match) == {"7": "98.50"}
    assert match.write_off_amount == Money(Decimal("1.50"), "EUR")
    assert "reconcile.amount.within_tolerance" in match.codes


def test_overpaid_within_tolerance_and_beyond() -> None:
    small = only(Matcher().match([line("L1", "100.40", label="INV-7")], [item("7", "100.00")]))
    assert small.write_off_amount == Money(Decimal("-0.40"), "EUR")
    big = only(Matcher().match([line("L1", "150.00", label="INV-7")], [item("7", "100.00")]))
    assert big.status is MatchStatus.REVIEW
    assert allocated(big) == {"7": "100.00"}
    assert big.unallocated == 5000
    assert "reconcile.amount.surplus" in big.codes


def test_partial_payment_leaves_a_residual_and_two_payments_share_an_item() -> None:
    lines = [line("L1", "40.00", refs=("INV-A",)), line("L2", "60.00", refs=("INV-A",))]
    result = Matcher().match(lines, [item("A", "100.00")])
    assert [allocated(m) for m in result.matches] == [{"A": "40.00"}, {"A": "60.00"}]
    assert all("reconcile.amount.partial" in m.codes for m in result.matches)


def test_a_second_full_payment_cannot_take_more_than_the_residual() -> None:
    lines = [line("L1", "100.00", refs=("INV-A",)), line("L2", "100.00", refs=("INV-A",))]
    result = Matcher().match(lines, [item("A", "100.00")])
    assert [m.line_id for m in result.matches] == ["L1"]
    assert result.unmatched_lines[0].line_id == "L2"
    assert result.unmatched_lines[0].reasons == ("reconcile.item_taken",)


def test_one_payment_for_several_invoices_found_by_references_in_the_label() -> None:
    items = [item("1", "100.00"), item("2", "250.00"), item("3", "75.00")]
    lines = [line("L1", "325.00", label="Rechnungen INV-2, inv 3")]
    match = only(Matcher().match(lines, items))
    assert allocated(match) == {"2": "250.00", "3": "75.00"}
    assert "reconcile.combination.references" in match.codes
    assert match.status is MatchStatus.AUTO


def test_an_rf_reference_in_groups_of_four_leaves_the_next_reference_to_be_read() -> None:
    """ISO 11649 prints RF references in groups of four, the last one shorter: the word
    after that short group is another reference, not a part of the first."""
    items = [
        item("1", "259.30", reference="RF83000000421"),
        item("2", "12885.66"),
        item("3", "40.00"),
    ]
    lines = [line("L1", "13144.96", label="invoices RF83 0000 0042 1 INV-2")]
    match = only(Matcher().match(lines, items))
    assert allocated(match) == {"1": "259.30", "2": "12885.66"}
    assert match.reasons == ("reconcile.combination.references",)
    assert match.status is MatchStatus.AUTO


def test_one_payment_for_several_invoices_found_by_amount_within_the_party() -> None:
    items = [
        item("A", "100.00", iban=IBAN, due=date(2026, 9, 1)),
        item("B", "250.00", iban=IBAN, due=date(2026, 9, 15)),
        item("C", "75.00", iban=IBAN, due=date(2026, 10, 1)),
        item("D", "1000.00", partner="C2", name="Other", iban="DE89370400440532013000"),
    ]
    match = only(Matcher().match([line("L1", "175.00", iban=IBAN)], items))
    assert allocated(match) == {"A": "100.00", "C": "75.00"}
    assert "reconcile.combination.subset_sum" in match.codes
    assert match.status is MatchStatus.AUTO


def test_ambiguous_combination_goes_to_review_with_the_oldest_items() -> None:
    items = [
        item("A", "100.00", iban=IBAN, due=date(2026, 9, 1)),
        item("B", "50.00", iban=IBAN, due=date(2026, 9, 2)),
        item("C", "150.00", iban=IBAN, due=date(2026, 9, 3)),
        item("D", "200.00", iban=IBAN, due=date(2026, 9, 4)),
    ]
    match = only(Matcher().match([line("L1", "250.00", iban=IBAN)], items))
    assert match.status is MatchStatus.REVIEW
    assert "reconcile.combination.ambiguous" in match.codes
    assert allocated(match) == {"A": "100.00", "C": "150.00"}


def test_large_combination_by_amount_alone_is_only_proposed() -> None:
    values = ("11.00", "22.00", "44.00", "88.00", "176.00")
    items = [item(c, v, iban=IBAN) for c, v in zip("ABCDE", values, strict=True)]
    four = only(Matcher().match([line("L1", "165.00", iban=IBAN)], items))
    assert len(four.allocations) == 4
    assert four.status is MatchStatus.AUTO  # up to auto_max_items (4)
    five = only(Matcher().match([line("L1", "341.00", iban=IBAN)], items))
    assert len(five.allocations) == 5
    assert five.status is MatchStatus.REVIEW


def test_credit_note_netted_into_a_payment() -> None:
    items = [
        item("7", "480.40", iban=IBAN),
        item("CN", "-80.40", iban=IBAN, number="AV-0042"),
    ]
    match = only(Matcher().match([line("L1", "400.00", iban=IBAN, label="INV-7")], items))
    assert allocated(match) == {"7": "480.40", "CN": "-80.40"}
    assert match.status is MatchStatus.AUTO


def test_ties_are_refused() -> None:
    items = [
        item("A", "60.00", partner="C1", name="Alpha"),
        item("B", "60.00", partner="C2", name="Beta"),
    ]
    result = Matcher().match([line("L1", "60.00")], items)
    assert result.matches == ()
    assert result.unmatched_lines[0].reasons == ("reconcile.tie_refused",)
    assert result.unmatched_lines[0].candidates == ("A", "B")


def test_same_amount_told_apart_by_the_payer_iban() -> None:
    items = [
        item("A", "60.00", partner="C1", name="Alpha", iban=IBAN),
        item("B", "60.00", partner="C2", name="Beta", iban="DE89370400440532013000"),
    ]
    match = only(Matcher().match([line("L1", "60.00", iban=IBAN)], items))
    assert allocated(match) == {"A": "60.00"}
    assert "reconcile.party.iban" in match.codes


def test_partner_mapping_names_who_pays_from_an_account() -> None:
    parent = "CH9300762011623852957"
    items = [item("A", "60.00", partner="C3", name="Games & Co Austria")]
    settings = MatcherSettings(
        blockers=default_settings().blockers,
        comparisons=default_settings().comparisons,
        partner_ibans={parent: "C3"},
    )
    match = only(Matcher(settings).match([line("L1", "60.00", iban=parent)], items))
    assert allocated(match) == {"A": "60.00"}
    assert match.status is MatchStatus.AUTO


def test_name_only_match_goes_to_review() -> None:
    items = [item("A", "890.00", name="Comics Corner Ltd")]
    match = only(Matcher().match([line("L1", "890.00", name="COMICS CORNER")], items))
    assert match.status is MatchStatus.REVIEW
    assert "reconcile.party.name" in match.codes


def test_unrelated_line_stays_unmatched() -> None:
    result = Matcher().match([line("L1", "12.34", label="frais")], [item("A", "100.00")])
    assert result.unmatched_lines[0].reasons == ("reconcile.no_candidate",)
    assert result.unmatched_items == ("A",)


def test_psp_payout_ties_out_and_fees_stand_as_their_own_lines() -> None:
    psp = [
        line("ch_1", "97.10", refs=("INV-A",), fee="2.90", kind=LineKind.CHARGE),
        line("ch_2", "48.40", refs=("INV-B",), fee="1.60", kind=LineKind.CHARGE),
        line("fee_1", "-0.50", kind=LineKind.FEE),
    ]
    bank = line("bank_1", "145.00", label="STRIPE PAYOUT po_123")
    payout = Payout("po_123", Money(Decimal("145.00"), "EUR"), ("ch_1", "ch_2", "fee_1"))
    result = Matcher().match(
        [*psp, bank], [item("A", "100.00"), item("B", "50.00")], payouts=[payout]
    )
    assert result.payouts[0].ties_out
    by_id = {m.line_id: m for m in result.matches}
    assert by_id["bank_1"].codes == ("reconcile.payout.matched", "reconcile.payout.ties_out")
    assert by_id["fee_1"].codes == ("reconcile.own_line.fee",)
    assert allocated(by_id["ch_1"]) == {"A": "100.00"}
    assert allocated(by_id["ch_2"]) == {"B": "50.00"}
    assert result.unmatched_items == ()


def test_payout_that_does_not_tie_out_goes_to_review() -> None:
    psp = [line("ch_1", "97.10", refs=("INV-A",), fee="2.90", kind=LineKind.CHARGE)]
    bank = line("bank_1", "97.00", refs=("po_9",))
    payout = Payout("po_9", Money(Decimal("97.10"), "EUR"), ("ch_1",))
    result = Matcher().match([*psp, bank], [item("A", "100.00")], payouts=[payout])
    assert not result.payouts[0].ties_out
    assert result.payouts[0].difference == -10
    bank_match = next(m for m in result.matches if m.line_id == "bank_1")
    assert bank_match.status is MatchStatus.REVIEW


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ReconcileError, match="appears twice"):
        Matcher().match([line("L1", "1.00"), line("L1", "2.00")], [])


def test_sub_cent_amounts_are_refused() -> None:
    with pytest.raises(ReconcileError, match="more decimals"):
        Matcher().match([line("L1", "1.005")], [])


def _usd_line(id: str, amount: str, ref: str) -> StatementLine:
    return StatementLine(
        id=id,
        kind=LineKind.TRANSFER,
        booked_on=date(2026, 11, 10),
        amount=Money(Decimal(amount), "USD"),
        references=(ref,),
    )


def test_a_line_in_another_currency_is_converted_at_the_given_rate() -> None:
    settings = MatcherSettings(
        blockers=default_settings().blockers,
        comparisons=default_settings().comparisons,
        rates={"USD/EUR": Decimal("0.92")},
    )
    result = Matcher(settings).match([_usd_line("L1", "100.00", "INV-7")], [item("7", "92.00")])
    match = only(result)
    assert "reconcile.amount.converted" in match.codes
    assert match.status is MatchStatus.AUTO
    assert allocated(match) == {"7": "92.00"}
    assert match.currency == "EUR"
    without_rate = Matcher().match([_usd_line("L1", "100.00", "INV-7")], [item("7", "92.00")])
    assert without_rate.matches == ()
    assert without_rate.unmatched_lines[0].candidates == ("7",)


def test_a_parent_company_pays_for_a_member_of_its_group() -> None:
    parent_iban = "DE89370400440532013000"
    items = [
        item("P1", "10.00", partner="C002", name="Games & Co GmbH", iban=parent_iban),
        item("7", "740.00", partner="C003", name="Games & Co Austria"),
        item("8", "740.00", partner="C009", name="Someone Else"),
    ]
    settings = MatcherSettings(
        blockers=default_settings().blockers,
        comparisons=default_settings().comparisons,
        partner_groups={"C002": "G100", "C003": "G100"},
    )
    lines = [line("L1", "740.00", iban=parent_iban, name="GAMES AND CO GMBH")]
    match = only(Matcher(settings).match(lines, items))
    assert allocated(match) == {"7": "740.00"}
    assert "reconcile.party.group" in match.codes
    assert match.status is MatchStatus.REVIEW  # amount and group alone: a person confirms
    # without the group, the IBAN names another partner: nothing is proposed
    assert Matcher().match(lines, items).matches == ()


def test_a_refund_settles_the_credit_note_it_names() -> None:
    items = [item("CN", "-80.40", number="AV-0042"), item("7", "80.40")]
    match = only(Matcher().match([line("R1", "-80.40", label="Avoir AV-0042")], items))
    assert allocated(match) == {"CN": "-80.40"}
    assert match.status is MatchStatus.AUTO


def test_nothing_in_nothing_out() -> None:
    result = Matcher().match([], [])
    assert result.matches == ()
    assert result.unmatched_lines == ()
    assert result.unmatched_items == ()


def test_zero_decimal_currency() -> None:
    jpy = StatementLine(
        id="J1",
        kind=LineKind.TRANSFER,
        booked_on=date(2026, 11, 10),
        amount=Money(Decimal(5000), "JPY"),
        references=("INV-9",),
    )
    amount = Money(Decimal(5000), "JPY")
    target = attrs.evolve(item("9", "1.00"), amount=amount, residual=amount)
    match = only(Matcher().match([jpy], [target]))
    assert allocated(match) == {"9": "5000"}


def test_progress_reports_every_line_decided_in_chunks() -> None:
    from ecomrules.reconcile.records import ItemRecord, LineRecord

    lines = [LineRecord(f"L{k:05d}", 100 + k, "EUR", 740_000) for k in range(10_001)]
    items = [ItemRecord("I1", "INV-1", "P1", "Acme", "EUR", 5, 740_000)]
    reported: list[int] = []
    result = Matcher().match_records(lines, items, progress=reported.append)
    assert reported == [10_000, 1]
    assert len(result.unmatched_lines) == 10_001


def test_a_residual_beyond_64_bits_still_matches() -> None:
    from ecomrules.reconcile.index import ItemIndex
    from ecomrules.reconcile.records import ItemRecord, LineRecord

    huge = 2**70  # minor units: no int64 column holds it, the index keeps a list
    items = [ItemRecord("I1", "INV-1", "P1", "Acme", "EUR", huge, 740_000)]
    assert list(ItemIndex(items).residuals) == [huge]
    result = Matcher().match_records([LineRecord("L1", huge, "EUR", 740_000, ("INV-1",))], items)
    assert [(a.item_id, a.units) for m in result.matches for a in m.allocations] == [("I1", huge)]


def test_an_amount_finer_than_the_currency_is_refused_naming_its_line_or_item() -> None:
    from ecomrules.reconcile.records import line_record

    with pytest.raises(ReconcileError, match=r"^line L1: 10\.005 EUR has more decimals"):
        line_record(line("L1", "10.005"))
    with pytest.raises(ReconcileError, match=r"^line L1 fee: 0\.125 EUR has more decimals"):
        line_record(line("L1", "10.00", fee="0.125"))
    with pytest.raises(FieldValueError, match=r"^open item I1: amount 3\.141 EUR has more than 2"):
        item("I1", "3.141")  # an open item refuses it when built
    record = line_record(line("L2", "5.00", refs=("INV-1", "", "INV-2")))
    assert record.references == ("INV-1", "INV-2")


BAD_IBAN = "FR7630006000011234567890188"  # IBAN with its last digit mistyped


def test_an_invalid_iban_on_the_line_is_reported_and_the_line_still_matched() -> None:
    items = [item("A", "120.00", iban=IBAN)]
    lines = [line("L1", "120.00", refs=("INV-A",), iban=BAD_IBAN)]
    result = Matcher().match(lines, items)
    match = only(result)
    assert allocated(match) == {"A": "120.00"}
    assert "reconcile.iban_invalid" in match.reasons
    assert "reconcile.party.iban" not in match.codes
    (issue,) = result.issues
    assert (issue.record, issue.id, issue.field, issue.value) == ("line", "L1", "iban", BAD_IBAN)
    assert issue.code == "reconcile.iban_invalid"
    assert "check digits" in issue.message
    assert result.to_json()["issues"][0]["id"] == "L1"


def test_an_invalid_iban_never_identifies_even_when_both_sides_carry_it() -> None:
    """The same mistyped IBAN on the line and the items is no evidence of the payer."""
    items = [item("A", "70.00", iban=BAD_IBAN), item("B", "30.00", iban=BAD_IBAN)]
    lines = [line("L1", "100.00", iban=BAD_IBAN)]
    result = Matcher().match(lines, items)
    assert result.matches == ()
    (unmatched,) = result.unmatched_lines
    assert unmatched.reasons == ("reconcile.no_candidate", "reconcile.iban_invalid")
    assert [(i.record, i.id) for i in result.issues] == [
        ("item", "A"),
        ("item", "B"),
        ("line", "L1"),
    ]


def test_a_valid_iban_identifies_the_payer_for_a_combination() -> None:
    """The control of the test above: with the valid IBAN the same payment is found."""
    items = [item("A", "70.00", iban=IBAN), item("B", "30.00", iban=IBAN)]
    result = Matcher().match([line("L1", "100.00", iban=IBAN)], items)
    match = only(result)
    assert allocated(match) == {"A": "70.00", "B": "30.00"}
    assert result.issues == ()


def test_an_invalid_iban_on_the_items_is_reported_and_the_exact_name_still_identifies() -> None:
    """The customer's IBAN on file is mistyped: the line's valid one is unknown, the name is not."""
    items = [
        item("A", "120.00", partner="N1", name="Atelier Dupont Martin SARL", iban=BAD_IBAN),
        item("A2", "310.00", partner="N1", name="Atelier Dupont Martin SARL", iban=BAD_IBAN),
        item("B", "120.00", partner="N2", name="Atelier Dupont Martin SAS"),
    ]
    lines = [line("L1", "120.00", name="ATELIER DUPONT MARTIN SARL", iban=IBAN)]
    result = Matcher().match(lines, items)
    match = only(result)
    assert allocated(match) == {"A": "120.00"}
    assert match.status is MatchStatus.AUTO
    assert "reconcile.party.name_exact" in match.codes
    assert [(i.record, i.id, i.value) for i in result.issues] == [
        ("item", "A", BAD_IBAN),
        ("item", "A2", BAD_IBAN),
    ]


def test_an_invalid_iban_in_python_settings_is_reported_not_joined() -> None:
    settings = attrs.evolve(default_settings(), partner_ibans={BAD_IBAN: "C1"})
    items = [item("A", "70.00"), item("B", "30.00")]
    result = Matcher(settings).match([line("L1", "100.00", iban=BAD_IBAN)], items)
    assert result.matches == ()
    assert [(i.record, i.id) for i in result.issues] == [("line", "L1"), ("partners", BAD_IBAN)]


SARL, SAS = "Atelier Dupont Martin SARL", "Atelier Dupont Martin SAS"


def near_twins(amount: str = "120.00") -> list[OpenItem]:
    """Two customers known by name only, one legal form apart, each owing ``amount``."""
    return [
        item("A", amount, partner="N1", name=SARL),
        item("A2", "310.00", partner="N1", name=SARL),
        item("B", amount, partner="N2", name=SAS),
    ]


def test_payer_by_exact_name_among_near_duplicates_is_auto() -> None:
    """The bank's upper-case full name is one customer's: the near twin is no tie."""
    lines = [line("L1", "120.00", name="ATELIER DUPONT MARTIN SARL", label="virement")]
    match = only(Matcher().match(lines, near_twins()))
    assert allocated(match) == {"A": "120.00"}
    assert match.status is MatchStatus.AUTO
    assert "reconcile.party.name_exact" in match.codes
    party = next(c for c in match.contributions if c.code.startswith("reconcile.party."))
    assert (party.weight, party.description) == (
        8.0,
        "the payer's name is the partner's full name, which no other partner bears",
    )


def test_the_other_exact_name_picks_the_other_twin() -> None:
    match = only(
        Matcher().match([line("L1", "120.00", name="Atelier Dupont Martin SAS")], near_twins())
    )
    assert allocated(match) == {"B": "120.00"}
    assert match.status is MatchStatus.AUTO


def test_a_near_name_identifies_nobody_and_never_wins() -> None:
    """``SA`` is neither twin's full name: both resemble it, neither is chosen."""
    result = Matcher().match([line("L1", "120.00", name="Atelier Dupont Martin SA")], near_twins())
    assert result.matches == ()
    assert result.unmatched_lines[0].reasons == ("reconcile.tie_refused",)


def test_a_name_two_partners_bear_identifies_nobody() -> None:
    items = [
        item("A", "120.00", partner="N1", name=SARL),
        item("B", "120.00", partner="N2", name=SARL),
    ]
    result = Matcher().match([line("L1", "120.00", name=SARL)], items)
    assert result.matches == ()
    assert result.unmatched_lines[0].reasons == ("reconcile.tie_refused",)


def test_identified_payer_with_two_items_of_the_amount_goes_to_review() -> None:
    """The amount must be unique among the payer's open items for an automatic match."""
    items = [
        item("A", "120.00", partner="N1", name=SARL, due=date(2026, 11, 1)),
        item("A2", "120.00", partner="N1", name=SARL, due=date(2026, 3, 1)),
    ]
    match = only(Matcher().match([line("L1", "120.00", name=SARL)], items))
    assert match.status is MatchStatus.REVIEW
    assert "reconcile.amount.not_unique" in match.reasons


def test_several_invoices_without_reference_found_among_the_named_payers_items() -> None:
    """No IBAN, no reference: the exact name leads to the customer, the sum to its items."""
    items = [
        *near_twins(),
        item("A3", "45.50", partner="N1", name=SARL),
        item("A4", "19.99", partner="N1", name=SARL),
        item("B2", "45.50", partner="N2", name=SAS),
        item("B3", "310.00", partner="N2", name=SAS),
    ]
    lines = [line("L1", "475.50", name="ATELIER DUPONT MARTIN SARL")]  # 120 + 310 + 45.50
    match = only(Matcher().match(lines, items))
    assert allocated(match) == {"A": "120.00", "A2": "310.00", "A3": "45.50"}
    assert match.status is MatchStatus.AUTO
    assert match.reasons == ("reconcile.combination.subset_sum",)
    assert "reconcile.party.name_exact" in match.codes


def test_several_invoices_of_a_near_name_are_not_searched() -> None:
    """Only an identified payer's items are searched: a near name finds no combination."""
    items = [*near_twins(), item("A3", "45.50", partner="N1", name=SARL)]
    result = Matcher().match([line("L1", "475.50", name="Atelier Dupont Martin")], items)
    assert result.matches == ()
    assert result.unmatched_lines[0].reasons == ("reconcile.no_candidate",)


def test_an_exact_sum_of_the_named_payers_items_beats_one_item_within_tolerance() -> None:
    """74.37 is 75.26 short by 0.89 (within the under-payment tolerance) and exactly
    27.90 + 46.47: the payer paid two invoices, not one invoice short."""
    items = [
        item("A", "75.26", partner="N1", name=SARL),
        item("B", "27.90", partner="N1", name=SARL),
        item("C", "46.47", partner="N1", name=SARL),
        item("D", "74.37", partner="N2", name=SAS),
    ]
    match = only(Matcher().match([line("L1", "74.37", name="ATELIER DUPONT MARTIN SARL")], items))
    assert allocated(match) == {"B": "27.90", "C": "46.47"}
    assert match.status is MatchStatus.AUTO
    assert match.reasons == ("reconcile.combination.subset_sum",)


def test_one_item_within_tolerance_stays_the_proposal_when_no_sum_is_exact() -> None:
    """The control of the test above: without an exact sum, the short payment is proposed."""
    items = [
        item("A", "75.26", partner="N1", name=SARL),
        item("B", "27.90", partner="N1", name=SARL),
    ]
    match = only(Matcher().match([line("L1", "74.37", name="ATELIER DUPONT MARTIN SARL")], items))
    assert allocated(match) == {"A": "74.37"}
    assert match.write_off == 89


@pytest.mark.parametrize("numbers", [(), ("12345678",)], ids=["no items", "no prefixed number"])
def test_an_rf_reference_in_the_text_with_no_prefixed_item_number_is_unmatched(
    numbers: tuple[str, ...],
) -> None:
    # the derived pattern then has no prefix alternative: reading the token must not fail
    items = [item(f"I{i}", "5.00", number=n) for i, n in enumerate(numbers)]
    result = Matcher().match([line("L1", "10.00", label="PAYMENT RF18539007547034")], items)
    assert [u.line_id for u in result.unmatched_lines] == ["L1"]
    assert result.unmatched_lines[0].reasons == ("reconcile.no_candidate",)
