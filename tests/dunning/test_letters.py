"""Letters: golden renderings, babel formatting per language, the sandbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from jinja2 import DictLoader, UndefinedError
from jinja2.exceptions import SecurityError

from ecomrules import demo
from ecomrules.dunning import (
    ChargeKind,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    LetterRenderer,
    Sender,
    load_policy,
    load_sender,
    plan,
)
from ecomrules.money import Money
from ecomrules.testing.dunning import customer, open_item
from ecomrules.testing.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
AS_OF = date(2025, 7, 20)


SENDER = load_sender(demo.path("sender.toml"))


def _scenario(language: str, name: str = "Dupont & Fils <SARL>", sender: Sender | None = SENDER):
    who = customer("C1", language=language)
    who = type(who)(
        id=who.id,
        name=name,
        currency="EUR",
        email=who.email,
        language=language,
        b2b=True,
        address=("4 quai des Chartrons", "33000 Bordeaux", "France"),
    )
    items = [
        open_item("A", date(2025, 5, 20), "3200.00"),
        open_item("B", date(2025, 7, 10), "480.40"),
        open_item("C", date(2025, 7, 23), "99.90", customer_id="C1"),
    ]
    history = DunningHistory(
        events=[
            DunningEvent("A", "C1", "reminder_1", 1, date(2025, 5, 27), "k1"),
            DunningEvent("A", "C1", "reminder_2", 2, date(2025, 6, 10), "k2"),
        ],
        charges=[
            DunningCharge(
                "old-fee",
                "C1",
                "Z",
                ChargeKind.INDEMNITY,
                "formal_notice",
                Money("40.00", "EUR"),
                date(2025, 3, 1),
            )
        ],
    )
    return plan(items, [who], history, load_policy("fr-b2b"), AS_OF, sender=sender)


@pytest.mark.parametrize("language", ["fr", "en", "de", "es"])
def test_formal_notice_letters_match_the_golden_files(language: str) -> None:
    (notice,) = _scenario(language).notices
    assert notice.letter is not None
    assert notice.letter.language == language
    assert_golden(
        {
            "subject": notice.letter.subject,
            "text": notice.letter.text.splitlines(),
            "html": notice.letter.html.splitlines(),
        },
        GOLDEN / f"formal_notice.{language}.json",
    )


@pytest.mark.parametrize(
    ("language", "holder", "reference"),
    [
        ("fr", "Titulaire du compte : Bulles & Cases SAS", "Référence à rappeler : C1 FA-A/FA-B"),
        ("en", "Account holder: Bulles & Cases SAS", "Payment reference: C1 FA-A/FA-B"),
        ("de", "Kontoinhaber: Bulles & Cases SAS", "Verwendungszweck: C1 FA-A/FA-B"),
        ("es", "Titular de la cuenta: Bulles & Cases SAS", "Concepto: C1 FA-A/FA-B"),
    ],
)
def test_every_letter_carries_sender_address_payment_block_and_signature(
    language: str, holder: str, reference: str
) -> None:
    result = _scenario(language)
    (notice,) = result.notices
    assert notice.letter is not None
    text, html = notice.letter.text, notice.letter.html
    for part in ("Bulles & Cases SAS", "18 rue des Imprimeurs", "Claire Moreau"):
        assert part in text
        assert part.replace("&", "&amp;") in html
    assert "4 quai des Chartrons" in text
    assert "4 quai des Chartrons" in html
    assert holder in text
    assert reference in text
    assert "FR76 3000 4000 0312 3456 7890 143" in text
    assert "<td>FR76 3000 4000 0312 3456 7890 143</td>" in html
    assert "BNPAFRPPLYO" in text
    assert "FR32912345678" in text
    assert "dunning.letter.no_sender" not in [issue.code for issue in result.issues]


@pytest.mark.parametrize("language", ["fr", "en", "de", "es"])
def test_without_a_sender_a_letter_has_no_made_up_signature_and_the_plan_warns(
    language: str,
) -> None:
    result = _scenario(language, sender=None)
    (notice,) = result.notices
    assert notice.letter is not None
    for made_up in ("Accounts receivable", "service comptabilité", "Debitorenbuchhaltung"):
        assert made_up not in notice.letter.text
    assert "IBAN" not in notice.letter.text
    assert "IBAN" not in notice.letter.html
    assert [issue.code for issue in result.issues] == ["dunning.letter.no_sender"]
    assert_golden(
        {"text": notice.letter.text.splitlines(), "html": notice.letter.html.splitlines()},
        GOLDEN / f"formal_notice.no_sender.{language}.json",
    )


def test_no_sender_warning_only_when_letters_are_rendered() -> None:
    result = _scenario("en", sender=None)
    items = [open_item("A", date(2025, 5, 20))]
    quiet = plan(items, [customer()], DunningHistory(), load_policy("default"), AS_OF, render=False)
    assert result.issues
    assert quiet.issues == ()


@pytest.mark.parametrize(
    ("language", "amount", "day"),
    [
        ("fr", "3\u202f200,00\xa0€", "20 mai 2025"),
        ("en", "€3,200.00", "May 20, 2025"),
        ("de", "3.200,00\xa0€", "20. Mai 2025"),
        ("es", "3.200,00\xa0€", "20 de mayo de 2025"),
    ],
)
def test_amounts_and_dates_in_the_customer_language(language: str, amount: str, day: str) -> None:
    (notice,) = _scenario(language).notices
    assert notice.letter is not None
    assert amount in notice.letter.text
    assert day in notice.letter.text


def test_each_level_of_the_built_in_policies_has_french_and_english_text() -> None:
    renderer = LetterRenderer()
    for name in ("fr-b2b", "fr-b2c", "default"):
        policy = load_policy(name)
        keys = [level.notify.template for level in policy.levels]
        if policy.preventive is not None:
            keys.append(policy.preventive.notify.template)
        for key in keys:
            for language in ("fr", "en", "de", "es"):
                assert renderer.has_template(key, language), (key, language)


def test_html_is_autoescaped_and_text_is_not() -> None:
    (notice,) = _scenario("en").notices
    assert notice.letter is not None
    assert "Dupont &amp; Fils &lt;SARL&gt;" in notice.letter.html
    assert "Dupont & Fils <SARL>" in notice.letter.text


def _custom(source: str) -> LetterRenderer:
    return LetterRenderer(
        DictLoader(
            {
                "en/reminder_1.j2": "{% extends layout %}{% block subject %}S{% endblock %}",
                "en/_layout.txt.j2": source,
                "en/_layout.html.j2": source,
            }
        )
    )


def test_an_unknown_variable_fails_instead_of_printing_nothing() -> None:
    items = [open_item("A", date(2025, 5, 20))]
    result = plan(
        items,
        [customer(language="en")],
        DunningHistory(),
        load_policy("default"),
        AS_OF,
        render=False,
    )
    (notice,) = result.notices
    with pytest.raises(UndefinedError):
        _custom("{{ customer.nickname }}").render(notice, customer(), load_policy("default"), AS_OF)


def test_templates_run_in_a_sandbox() -> None:
    items = [open_item("A", date(2025, 5, 20))]
    policy = load_policy("default")
    result = plan(items, [customer(language="en")], DunningHistory(), policy, AS_OF, render=False)
    (notice,) = result.notices
    with pytest.raises(SecurityError):
        _custom("{{ ''.__class__.__mro__[1].__subclasses__() }}").render(
            notice, customer(), policy, AS_OF
        )


@pytest.mark.parametrize("language", ["fr", "en", "de", "es"])
@pytest.mark.parametrize("b2b", [True, False])
def test_every_level_renders_in_every_shipped_language(language: str, b2b: bool) -> None:
    import attrs

    renderer = LetterRenderer()
    for name in ("fr-b2b", "fr-b2c", "default"):
        policy = load_policy(name)
        who = attrs.evolve(customer("C1", language=language), b2b=b2b)
        items = [open_item("A", date(2025, 5, 20), "3200.00")]
        (notice,) = plan(items, [who], DunningHistory(), policy, AS_OF, render=False).notices
        levels = ([policy.preventive] if policy.preventive else []) + list(policy.levels)
        for level in levels:
            evolved = attrs.evolve(
                notice,
                level=level.key,
                template=level.notify.template,
                handover=level.handover,
                block_credit=level.block_credit,
            )
            letter = renderer.render(evolved, who, policy, AS_OF)
            assert letter.language == language
            assert letter.subject
            assert "FA-A" in letter.text
            assert "FA-A" in letter.html


@pytest.mark.parametrize("language", ["fr", "en", "de", "es"])
def test_every_built_in_letter_with_sender_matches_its_golden_file(language: str) -> None:
    import attrs

    renderer = LetterRenderer()
    policy = load_policy("fr-b2b")
    who = attrs.evolve(
        customer("C1", language=language), address=("4 quai des Chartrons", "33000 Bordeaux")
    )
    items = [open_item("A", date(2025, 5, 20), "3200.00")]
    result = plan(items, [who], DunningHistory(), policy, AS_OF, render=False)
    (notice,) = result.notices
    letters = {}
    for level in [policy.preventive, *policy.levels]:
        assert level is not None
        evolved = attrs.evolve(
            notice,
            level=level.key,
            template=level.notify.template,
            handover=level.handover,
            block_credit=level.block_credit,
        )
        letter = renderer.render(evolved, who, policy, AS_OF, SENDER)
        letters[level.notify.template] = {
            "subject": letter.subject,
            "text": letter.text.splitlines(),
        }
    assert_golden(letters, GOLDEN / f"letters.{language}.json")
