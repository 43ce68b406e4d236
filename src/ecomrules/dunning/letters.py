"""Letters: notices rendered from jinja2 templates in a sandbox, formatted with babel.

Templates live in ``<language>/<template>.j2`` and extend the layout the
renderer names (``_layout.txt.j2`` or ``_layout.html.j2``), defining the blocks
``subject``, ``opening`` and ``closing``. They run in jinja2's sandbox with
strict undefined variables (a typo fails instead of printing nothing); HTML
output is autoescaped. Amounts and dates go through the ``money`` and ``day``
filters, which format them with babel in the customer's language. A language
without templates falls back to English text, still formatted in the
customer's language.

Every built-in layout prints the sender block (company, address, contact), the
customer's postal address, a payment block (account holder, IBAN, BIC and the
reference to quote, from the :class:`~ecomrules.dunning.sender.Sender`'s rule)
and the sender's signature; without a sender those parts are left out (and
:func:`~ecomrules.dunning.plan` warns), never filled with made-up text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from ecomrules.dunning.history import ChargeKind
from ecomrules.dunning.plan import Letter, Notice
from ecomrules.dunning.policy import DunningPolicy
from ecomrules.dunning.sender import Sender
from ecomrules.ledger import Customer
from ecomrules.money import Money

__all__ = ["LetterRenderer", "default_renderer"]

FALLBACK_LANGUAGE = "en"


class LetterRenderer:
    """Render notices with a jinja2 loader (the shipped templates by default).

    ``loader`` is any ``jinja2.BaseLoader``; pass a ``FileSystemLoader`` over
    your own folder (same layout: ``fr/reminder_1.j2``, ``fr/_layout.txt.j2``,
    ...) to use your own wording.
    """

    def __init__(self, loader: Any = None) -> None:
        from jinja2 import PackageLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        chosen = loader if loader is not None else PackageLoader("ecomrules.dunning", "templates")
        common: dict[str, Any] = {
            "loader": chosen,
            "undefined": StrictUndefined,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
        }
        self._text = SandboxedEnvironment(autoescape=False, **common)
        self._html = SandboxedEnvironment(autoescape=True, **common)
        for env in (self._text, self._html):
            env.filters["money"] = _money_filter
            env.filters["day"] = _day_filter
            env.filters["percent"] = _percent_filter
        self._names = frozenset(chosen.list_templates())

    def has_template(self, template: str, language: str) -> bool:
        """Return True when ``language`` has its own text for ``template``."""
        return f"{language}/{template}.j2" in self._names

    def language_for(self, template: str, language: str) -> str:
        """Return the language whose text is used for ``template``: the customer's, else English."""
        short = language.replace("-", "_").split("_")[0].lower()
        return short if self.has_template(template, short) else FALLBACK_LANGUAGE

    def render(
        self,
        notice: Notice,
        customer: Customer,
        policy: DunningPolicy,
        as_of: date,
        sender: Sender | None = None,
    ) -> Letter:
        """Render the notice's subject, plain text and HTML, signed by ``sender``."""
        text_language = self.language_for(notice.template, customer.language)
        name = f"{text_language}/{notice.template}.j2"
        context = _context(
            notice, customer, policy, as_of, _locale(customer.language), text_language
        )
        context.update(sender_context(sender, notice))
        text_template = self._text.get_template(name)
        subject = "".join(
            text_template.blocks["subject"](text_template.new_context(context))
        ).strip()
        context["subject"] = subject
        text = text_template.render({**context, "layout": f"{text_language}/_layout.txt.j2"})
        html = self._html.get_template(name).render(
            {**context, "layout": f"{text_language}/_layout.html.j2"}
        )
        payment = context["payment"]
        reference = None if payment is None else payment["reference"]
        return Letter(notice.template, text_language, subject, text, html, reference)

    def attach(
        self,
        notice: Notice,
        customer: Customer,
        policy: DunningPolicy,
        as_of: date,
        sender: Sender | None = None,
    ) -> Notice:
        """Return the notice with its rendered letter."""
        return attrs.evolve(notice, letter=self.render(notice, customer, policy, as_of, sender))


@functools.cache
def default_renderer() -> LetterRenderer:
    """The renderer over the shipped templates (built once)."""
    return LetterRenderer()


def sender_context(sender: Sender | None, notice: Notice) -> dict[str, Any]:
    """The template variables ``sender``, ``payment`` and ``signature`` for one notice.

    ``payment`` is None unless the sender has an IBAN; its reference follows
    the sender's rule. ``signature`` is the sender's lines (its name when it
    gave none), empty without a sender.
    """
    if sender is None:
        return {"sender": None, "payment": None, "signature": []}
    payment = None
    if sender.iban is not None:
        payment = {
            "iban": " ".join(sender.iban[i : i + 4] for i in range(0, len(sender.iban), 4)),
            "bic": sender.bic,
            "reference": sender.reference_for(
                notice.customer_id,
                [item.number for item in notice.items],
                notice.idempotency_key.removeprefix("dunning-notice:")[:12],
            ),
        }
    return {
        "sender": {
            "name": sender.name,
            "address": list(sender.address),
            "registration": sender.registration,
            "vat_id": sender.vat_id,
            "email": sender.email,
            "phone": sender.phone,
            "website": sender.website,
            "logo": sender.logo,
        },
        "payment": payment,
        "signature": list(sender.signature or (sender.name,)),
    }


@functools.cache
def _locale(language: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(language.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return FALLBACK_LANGUAGE


def _context(
    notice: Notice,
    customer: Customer,
    policy: DunningPolicy,
    as_of: date,
    locale: str,
    language: str,
) -> dict[str, Any]:
    numbers = {item.item_id: item.number for item in notice.items}
    level = policy.level(notice.level)
    levels = {item.level: policy.level(item.level).name for item in notice.items}
    return {
        "locale": locale,
        "language": language,
        "as_of": as_of,
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "b2b": customer.b2b,
            "address": list(customer.address),
        },
        "notice": {
            "level": notice.level,
            "level_name": level.name,
            "rank": notice.rank,
            "handover": notice.handover,
            "block_credit": notice.block_credit,
            "reference": notice.idempotency_key,
        },
        "items": [
            {
                "number": item.number,
                "level": item.level,
                "level_name": levels[item.level],
                "due_date": item.due_date,
                "amount": item.amount_due,
                "days_overdue": item.days_overdue,
            }
            for item in notice.items
        ],
        "fees": [
            {
                "kind": charge.kind.value,
                "item": numbers.get(charge.item_id or "", ""),
                "amount": charge.amount,
            }
            for charge in notice.charges
            if charge.kind is not ChargeKind.INTEREST
        ],
        "interest": [
            {
                "item": numbers.get(charge.item_id or "", ""),
                "amount": charge.amount,
                "start": None if charge.period is None else charge.period[0],
                "end": None if charge.period is None else charge.period[1],
            }
            for charge in notice.charges
            if charge.kind is ChargeKind.INTEREST
        ],
        "open_charges": [
            {
                "kind": charge.kind.value,
                "amount": charge.open_amount,
                "charged_on": charge.charged_on,
            }
            for charge in notice.open_charges
        ],
        "totals": list(notice.totals),
    }


def _locale_of(context: Mapping[str, Any]) -> str:
    locale = context.get("locale", FALLBACK_LANGUAGE)
    return locale if isinstance(locale, str) else FALLBACK_LANGUAGE


def _money_filter_impl(context: Mapping[str, Any], value: Money) -> str:
    if not isinstance(value, Money):
        raise TypeError(f"the money filter formats Money, not {type(value).__name__}")
    return _format_money(value.amount, value.currency.code, _locale_of(context))


def _day_filter_impl(context: Mapping[str, Any], value: date, style: str = "long") -> str:
    if not isinstance(value, date):
        raise TypeError(f"the day filter formats dates, not {type(value).__name__}")
    return _format_day(value, style, _locale_of(context))


def _percent_filter_impl(context: Mapping[str, Any], value: Any) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=_locale_of(context))) + " %"


@functools.lru_cache(maxsize=65536)
def _format_money(amount: Decimal, currency: str, locale: str) -> str:
    # Cached: a letter shows each amount twice (text and HTML), dates far more often.
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=locale))


@functools.lru_cache(maxsize=8192)
def _format_day(value: date, style: str, locale: str) -> str:
    from babel.dates import format_date

    return str(format_date(value, format=style, locale=locale))


def _pass_context(function: Any) -> Any:
    from jinja2 import pass_context

    return pass_context(function)


_money_filter = _pass_context(_money_filter_impl)
_day_filter = _pass_context(_day_filter_impl)
_percent_filter = _pass_context(_percent_filter_impl)
