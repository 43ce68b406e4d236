"""Web-analytics readers: GA4, Universal Analytics 360, Matomo and Snowplow events.

Each reader maps its source's events onto the ``events`` table: one row per
event, a ``session_key`` that identifies the visit, the source's own event name
and the canonical funnel ``step`` it stands for:

=================  ======================  ============================  ===================
step               GA4                     UA (``eCommerceAction``)       Matomo / Snowplow
=================  ======================  ============================  ===================
session_start      ``session_start``       one per session                one per visit / -
view_item          ``view_item``           ``2`` (detail)                 product view
add_to_cart        ``add_to_cart``         ``3`` (add)                    abandoned cart / add
begin_checkout     ``begin_checkout``,     ``5`` (checkout)               - / ``checkout_step``
                   ``add_shipping_info``
add_payment_info   ``add_payment_info``    -                              -
purchase           ``purchase``            ``6`` (purchase)               order / transaction
=================  ======================  ============================  ===================

GA4 rows are read in the shape of Google's BigQuery export (``event_params``
as key/value records), whether they come as NDJSON, a JSON array, Parquet, or
the not-quite-JSON shapes found in the wild: nested records written as Python
``repr`` strings or as JSON strings, upper-case column names, JavaScript test
modules. :func:`ga4_event` is the one mapping of a row; the bulk SQL path of
:mod:`ecomrules.analytics.ga4_sql` is tested to give the same rows.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from defusedxml import ElementTree

from ecomrules.analytics.readers.common import (
    Batch,
    Problems,
    amount,
    clean_text,
    epoch_micros,
    get_path,
    parse_timestamp,
)
from ecomrules.errors import EcomrulesError

__all__ = [
    "GA4_STEPS",
    "event_key",
    "ga4_event",
    "ga4_rows",
    "json_rows",
    "read_ga4",
    "read_matomo_live",
    "read_shopify_checkouts",
    "read_snowplow",
    "read_thelook_events",
    "read_ua_sessions",
]

GA4_STEPS: Final[Mapping[str, str]] = {
    "session_start": "session_start",
    "view_item": "view_item",
    "add_to_cart": "add_to_cart",
    "begin_checkout": "begin_checkout",
    "add_shipping_info": "begin_checkout",
    "add_payment_info": "add_payment_info",
    "purchase": "purchase",
}

_UA_STEPS: Final[Mapping[str, str]] = {
    "2": "view_item",
    "3": "add_to_cart",
    "5": "begin_checkout",
    "6": "purchase",
}

_CLICK_IDS: Final = re.compile(r"[?&](gclid|gbraid|wbraid|dclid|msclkid)=", re.IGNORECASE)


def event_key(*parts: object) -> str:
    """A stable identity for an event: the md5 of its parts joined by ``|``.

    Missing parts are empty strings, so that the SQL path
    (``md5(concat_ws('|', coalesce(...)))``) computes the same key.

    >>> event_key("u1", 1606045530418360, "page_view", None)
    '4c4ad1ec999583e313939629195caa14'
    """
    text = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


# --- GA4 -------------------------------------------------------------------------------


def _lower_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


_REPR_LIST_SEP: Final = re.compile(r"\}\s*\n\s*\{")
_REPR_ARRAY: Final = re.compile(r"\barray\(")
_REPR_DTYPE: Final = re.compile(r",\s*dtype=[^)]*\)")


def _nested(value: Any) -> Any:
    """Decode a nested record written as a JSON string or a Python ``repr`` string."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text or text[0] not in "[{":
        return value
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        pass
    try:
        text = _REPR_DTYPE.sub(")", _REPR_ARRAY.sub("(", _REPR_LIST_SEP.sub("}, {", text)))
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        raise EcomrulesError(
            f"a nested record is neither JSON nor a Python literal: {text[:60]!r}"
        ) from None


def _normalise_ga4(row: Mapping[str, Any]) -> dict[str, Any]:
    row = _lower_keys(row)
    return {k: _lower_keys(_nested(v)) for k, v in row.items()}


def _param(params: Any, key: str) -> Any:
    if not isinstance(params, list):
        return None
    for entry in params:
        if isinstance(entry, Mapping) and entry.get("key") == key:
            value = entry.get("value")
            if not isinstance(value, Mapping):
                return None
            for kind in ("string_value", "int_value", "double_value", "float_value"):
                found = value.get(kind)
                if found is not None and not (isinstance(found, float) and found != found):
                    return found
            return None
    return None


def ga4_event(row: Mapping[str, Any], problems: Problems, where: str) -> dict[str, Any] | None:
    """Map one GA4 BigQuery export row (normalised) to an ``events`` row."""
    name = clean_text(row.get("event_name"))
    stamp = row.get("event_timestamp")
    user = clean_text(row.get("user_pseudo_id")) or clean_text(row.get("user_id"))
    if name is None or stamp is None or user is None:
        problems.add(
            where, "fields 'event_name', 'event_timestamp' and 'user_pseudo_id' are required"
        )
        return None
    try:
        ts = epoch_micros(stamp)
    except (ValueError, OverflowError):
        problems.add(where, f"field 'event_timestamp': not epoch microseconds {stamp!r}")
        return None
    params = row.get("event_params")
    session = _param(params, "ga_session_id")
    collected = row.get("collected_traffic_source") or {}
    traffic = row.get("traffic_source") or {}
    source = (
        clean_text(get_path(collected, "manual_source"))
        or clean_text(_param(params, "source"))
        or clean_text(get_path(traffic, "source"))
    )
    medium = (
        clean_text(get_path(collected, "manual_medium"))
        or clean_text(_param(params, "medium"))
        or clean_text(get_path(traffic, "medium"))
    )
    campaign = (
        clean_text(get_path(collected, "manual_campaign_name"))
        or clean_text(_param(params, "campaign"))
        or clean_text(get_path(traffic, "name"))
    )
    location = _param(params, "page_location")
    gclid = bool(clean_text(get_path(collected, "gclid"))) or bool(
        isinstance(location, str) and _CLICK_IDS.search(location)
    )
    ecommerce = row.get("ecommerce") or {}
    transaction = clean_text(get_path(ecommerce, "transaction_id")) or clean_text(
        _param(params, "transaction_id")
    )
    currency = clean_text(_param(params, "currency"))
    value: Any = None
    if name == "purchase":
        value = get_path(ecommerce, "purchase_revenue")
    if value is None or value != value:
        value = _param(params, "value")
    revenue: Decimal | None = None
    if value is not None and currency is not None:
        try:
            revenue = amount(value, currency.upper())
        except EcomrulesError as exc:
            problems.add(where, f"field 'value': {exc}")
    return {
        "source": "ga4",
        "event_key": event_key(user, stamp, name, row.get("event_bundle_sequence_id"), session),
        "session_key": f"{user}.{session}" if session is not None else user,
        "user_key": user,
        "ts": ts,
        "event_name": name,
        "step": GA4_STEPS.get(name),
        "traffic_source": source,
        "medium": medium,
        "campaign": campaign,
        "gclid": gclid,
        "device": clean_text(get_path(row, "device", "category")),
        "country": clean_text(get_path(row, "geo", "country")),
        "transaction_id": transaction,
        "revenue": revenue,
        "currency": currency.upper() if revenue is not None and currency else None,
    }


_JS_KEY: Final = re.compile(r"(?m)^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:")
_TRAILING_COMMA: Final = re.compile(r",(\s*[}\]])")


def _js_module_rows(text: str, source: str) -> list[Any]:
    """The array of a ``const rows = [...]; module.exports = ...`` test module."""
    start = text.find("[", text.find("="))
    end = text.rfind("]")
    if start < 0 or end < start:
        raise EcomrulesError(f"{source}: no array of rows in this JavaScript module")
    body = _TRAILING_COMMA.sub(r"\1", _JS_KEY.sub(r'\1"\2":', text[start : end + 1]))
    try:
        rows = json.loads(body)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise EcomrulesError(f"{source}: the module's rows are not data: {exc}") from None
    if not isinstance(rows, list):
        raise EcomrulesError(f"{source}: the module's rows are not a list")
    return rows


def json_rows(data: bytes, source: str) -> list[Any]:
    """Rows of a JSON array, a wrapper (``sample_rows``, ``rows``...), NDJSON or a JS module."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EcomrulesError(f"{source}: not UTF-8 at byte {exc.start}") from None
    stripped = text.lstrip()
    if stripped.startswith(("const ", "let ", "var ", "module.exports", "export ")):
        return _js_module_rows(text, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise EcomrulesError(f"{source}:{number}: not valid JSON: {exc.msg}") from None
        return rows
    except RecursionError:
        raise EcomrulesError(f"{source}: nested too deeply") from None
    if isinstance(document, Mapping):
        for key in ("sample_rows", "rows", "data", "events", "sessions", "checkouts"):
            if isinstance(document.get(key), list):
                return list(document[key])
        return [document]
    if isinstance(document, list):
        return document
    raise EcomrulesError(f"{source}: expected a list of rows")


def ga4_rows(data: bytes, source: str) -> list[dict[str, Any]]:
    """GA4 export rows in BigQuery's shape, whatever the file's flavour."""
    rows = json_rows(data, source)
    out = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise EcomrulesError(f"{source}: record {index}: not an object")
        try:
            out.append(_normalise_ga4(row))
        except EcomrulesError as exc:
            raise EcomrulesError(f"{source}: record {index}: {exc}") from None
    return out


def read_ga4(data: bytes, source: str) -> Batch:
    """Read GA4 BigQuery export rows (JSON, NDJSON, wrapper objects, JS modules)."""
    problems = Problems(source)
    batch = Batch("ga4")
    for index, row in enumerate(ga4_rows(data, source), start=1):
        event = ga4_event(row, problems, f"record {index}")
        if event is not None:
            batch.events.append(event)
    problems.raise_if_any()
    return batch


# --- Universal Analytics 360 ------------------------------------------------------------


def _ua_hits(session: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    hits = _nested(session.get("hits"))
    if hits is None:
        return []
    if not isinstance(hits, list):
        raise EcomrulesError("field 'hits' is not a list")
    return [h for h in hits if isinstance(h, Mapping)]


def read_ua_sessions(data: bytes, source: str) -> Batch:
    """Read UA 360 ``ga_sessions`` rows (one per session with its hits) or the flat
    ``all_sessions`` table (one row per hit). Revenue is in micros."""
    problems = Problems(source)
    batch = Batch("ua")
    for index, raw in enumerate(json_rows(data, source), start=1):
        where = f"record {index}"
        if not isinstance(raw, Mapping):
            problems.add(where, "not an object")
            continue
        session = {k: _nested(v) for k, v in raw.items()}
        visitor = clean_text(session.get("fullVisitorId"))
        visit = clean_text(session.get("visitId"))
        if visitor is None or visit is None:
            problems.add(where, "fields 'fullVisitorId' and 'visitId' are required")
            continue
        try:
            start = dt.datetime(1970, 1, 1) + dt.timedelta(
                seconds=int(session.get("visitStartTime") or visit)
            )
        except (ValueError, OverflowError):
            problems.add(where, "field 'visitStartTime': not epoch seconds")
            continue
        traffic = session.get("trafficSource") or {}
        common = {
            "source": "ua",
            "session_key": f"{visitor}.{visit}",
            "user_key": visitor,
            "traffic_source": clean_text(get_path(traffic, "source")),
            "medium": clean_text(get_path(traffic, "medium")),
            "campaign": clean_text(get_path(traffic, "campaign")),
            "gclid": bool(clean_text(get_path(traffic, "adwordsClickInfo", "gclId"))),
            "device": clean_text(get_path(session, "device", "deviceCategory")),
            "country": clean_text(get_path(session, "geoNetwork", "country"))
            or clean_text(session.get("country")),
        }
        flat = "hits" not in session
        hits: list[Mapping[str, Any]]
        try:
            hits = [session] if flat else _ua_hits(session)
        except EcomrulesError as exc:
            problems.add(where, str(exc))
            continue
        if not flat:
            batch.events.append(
                {
                    **common,
                    "event_key": f"{visitor}.{visit}.start",
                    "ts": start,
                    "event_name": "session_start",
                    "step": "session_start",
                    "transaction_id": None,
                    "revenue": None,
                    "currency": None,
                }
            )
        for hit_index, hit in enumerate(hits, start=1):
            action = str(
                get_path(hit, "eCommerceAction", "action_type")
                or hit.get("eCommerceAction_type")
                or "0"
            )
            number = hit.get("hitNumber", hit_index)
            millis = hit.get("time") or 0
            transaction = clean_text(get_path(hit, "transaction", "transactionId")) or clean_text(
                hit.get("transactionId")
            )
            micros = get_path(hit, "transaction", "transactionRevenue") or hit.get(
                "totalTransactionRevenue"
            )
            currency = clean_text(hit.get("currencyCode")) or clean_text(
                get_path(hit, "transaction", "currencyCode")
            )
            revenue = None
            if action == "6" and micros not in (None, "") and micros == micros:
                try:
                    revenue = amount(micros, (currency or "USD").upper(), micros=True)
                except EcomrulesError as exc:
                    problems.add(where, f"hit {number}: field 'transactionRevenue': {exc}")
            try:
                ts = start + dt.timedelta(milliseconds=int(millis))
            except (TypeError, ValueError):
                ts = start
            batch.events.append(
                {
                    **common,
                    "event_key": f"{visitor}.{visit}.{number}",
                    "ts": ts,
                    "event_name": f"ecommerce_action_{action}",
                    "step": _UA_STEPS.get(action),
                    "transaction_id": transaction if action == "6" else None,
                    "revenue": revenue,
                    "currency": (currency or "USD").upper() if revenue is not None else None,
                }
            )
    problems.raise_if_any()
    return batch


# --- Matomo ----------------------------------------------------------------------------


def _xml_value(element: Any) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    if all(child.tag == "row" for child in children):
        return [_xml_value(child) for child in children]
    return {child.tag: _xml_value(child) for child in children}


def _matomo_visits(data: bytes, source: str) -> list[Mapping[str, Any]]:
    head = data.lstrip()[:1]
    if head == b"<":
        try:
            root = ElementTree.fromstring(data)
        except Exception as exc:  # defusedxml raises several types
            raise EcomrulesError(f"{source}: not valid XML: {exc}") from None
        if root.tag == "error" or root.find("error") is not None:
            raise EcomrulesError(f"{source}: Matomo answered with an error")
        return [_xml_value(row) for row in root.findall("row")]
    rows = json_rows(data, source)
    return [r for r in rows if isinstance(r, Mapping)]


def _matomo_time(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        try:
            return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(text))
        except OverflowError:
            return None
    try:
        return parse_timestamp(text)
    except ValueError:
        return None


def read_matomo_live(data: bytes, source: str, undated: dt.datetime | None = None) -> Batch:
    """Read Matomo ``Live.getLastVisitsDetails`` (XML or JSON): visits and their actions.

    Times come from each action's ``timestamp``, else the visit's
    ``firstActionTimestamp``/``serverTimestamp``/``lastActionDateTime``/``serverDate``;
    an export stripped of all of them (Matomo's own test outputs are) takes
    ``undated``, and is refused without it. Money: the site's currency
    (``siteCurrency``); revenue may be a display string (``$1,111.11``).
    """
    problems = Problems(source)
    batch = Batch("matomo")
    for index, visit in enumerate(_matomo_visits(data, source), start=1):
        where = f"visit {index}"
        visit_id = clean_text(visit.get("idVisit"))
        if visit_id is None:
            problems.add(where, "field 'idVisit' is required")
            continue
        site = clean_text(visit.get("idSite")) or "1"
        key = f"{site}.{visit_id}"
        start = None
        for name in ("firstActionTimestamp", "serverTimestamp", "lastActionDateTime", "serverDate"):
            start = _matomo_time(visit.get(name))
            if start is not None:
                break
        start = start or undated
        currency = (clean_text(visit.get("siteCurrency")) or "USD").upper()
        referrer = (clean_text(visit.get("referrerType")) or "").lower()
        medium = {
            "direct": "(none)",
            "search": "organic",
            "website": "referral",
            "campaign": clean_text(visit.get("campaignMedium")) or "campaign",
            "social": "social",
        }.get(referrer)
        common = {
            "source": "matomo",
            "session_key": key,
            "user_key": clean_text(visit.get("visitorId")) or clean_text(visit.get("userId")),
            "traffic_source": "(direct)"
            if referrer == "direct"
            else clean_text(visit.get("referrerName")),
            "medium": medium,
            "campaign": clean_text(visit.get("campaignName")),
            "gclid": bool(re.search(r"gclid=", str(visit.get("referrerUrl") or ""))),
            "device": (clean_text(visit.get("deviceType")) or "").lower() or None,
            "country": (clean_text(visit.get("countryCode")) or "").upper() or None,
        }
        actions = visit.get("actionDetails") or []
        if not isinstance(actions, list):
            problems.add(where, "field 'actionDetails' is not a list")
            continue
        if start is None:
            problems.add(where, "no time in the visit (give the export's date)")
            continue
        batch.events.append(
            {
                **common,
                "event_key": f"{key}.start",
                "ts": start,
                "event_name": "visit",
                "step": "session_start",
                "transaction_id": None,
                "revenue": None,
                "currency": None,
            }
        )
        for number, action in enumerate(actions, start=1):
            if not isinstance(action, Mapping):
                continue
            kind = clean_text(action.get("type")) or "action"
            step = None
            if kind == "ecommerceOrder":
                step = "purchase"
            elif kind == "ecommerceAbandonedCart":
                step = "add_to_cart"
            elif clean_text(action.get("productViewSku")) or clean_text(
                action.get("productViewName")
            ):
                step = "view_item"
            revenue = None
            if kind in ("ecommerceOrder", "ecommerceAbandonedCart", "goal") and clean_text(
                action.get("revenue")
            ):
                try:
                    revenue = amount(action.get("revenue"), currency, display=True)
                except EcomrulesError as exc:
                    problems.add(f"{where}: action {number}", f"field 'revenue': {exc}")
            batch.events.append(
                {
                    **common,
                    "event_key": f"{key}.{number}",
                    "ts": _matomo_time(action.get("timestamp")) or start,
                    "event_name": kind if kind != "goal" else f"goal_{action.get('goalId', '')}",
                    "step": step,
                    "transaction_id": clean_text(action.get("orderId"))
                    if step == "purchase"
                    else None,
                    "revenue": revenue,
                    "currency": currency if revenue is not None else None,
                }
            )
    problems.raise_if_any()
    return batch


# --- Snowplow --------------------------------------------------------------------------

_SNOWPLOW_STEPS: Final[Mapping[str, str]] = {
    "product_view": "view_item",
    "add_to_cart": "add_to_cart",
    "checkout_step": "begin_checkout",
    "transaction": "purchase",
}
_SNOWPLOW_ACTION: Final = (
    "unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1_0_0"
)
_SNOWPLOW_TRANSACTION: Final = "contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1_0_0"


def _json_cell(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise EcomrulesError(f"not valid JSON: {text[:60]!r}") from None


def _csv_dicts(data: bytes, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EcomrulesError(f"{source}: not UTF-8 at byte {exc.start}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, row


def read_snowplow(data: bytes, source: str) -> Batch:
    """Read Snowplow atomic events (CSV) with the e-commerce action and its entities."""
    problems = Problems(source)
    batch = Batch("snowplow")
    for line, row in _csv_dicts(data, source):
        where = f"{line}"
        session = clean_text(row.get("domain_sessionid"))
        event_id = clean_text(row.get("event_id"))
        stamp_text = clean_text(row.get("derived_tstamp")) or clean_text(
            row.get("collector_tstamp")
        )
        if session is None or event_id is None or stamp_text is None:
            problems.add(
                where, "columns 'event_id', 'domain_sessionid' and a timestamp are required"
            )
            continue
        try:
            ts = parse_timestamp(stamp_text)
            action = _json_cell(row.get(_SNOWPLOW_ACTION)) or {}
            transactions = _json_cell(row.get(_SNOWPLOW_TRANSACTION)) or []
        except (ValueError, EcomrulesError) as exc:
            problems.add(where, str(exc))
            continue
        kind = clean_text(get_path(action, "type")) if isinstance(action, Mapping) else None
        step = _SNOWPLOW_STEPS.get(kind or "")
        transaction_id = None
        revenue = None
        currency = None
        if step == "purchase" and transactions:
            first = transactions[0]
            transaction_id = clean_text(get_path(first, "transaction_id"))
            currency = (clean_text(get_path(first, "currency")) or "").upper() or None
            if currency and clean_text(get_path(first, "revenue")):
                try:
                    revenue = amount(get_path(first, "revenue"), currency)
                except EcomrulesError as exc:
                    problems.add(where, f"transaction 'revenue': {exc}")
        batch.events.append(
            {
                "source": "snowplow",
                "event_key": event_id,
                "session_key": session,
                "user_key": clean_text(row.get("domain_userid")),
                "ts": ts,
                "event_name": kind or clean_text(row.get("event_name")) or "event",
                "step": step,
                "traffic_source": clean_text(row.get("mkt_source"))
                or clean_text(row.get("refr_source")),
                "medium": clean_text(row.get("mkt_medium")) or clean_text(row.get("refr_medium")),
                "campaign": clean_text(row.get("mkt_campaign")),
                "gclid": bool(clean_text(row.get("mkt_clickid"))),
                "device": None,
                "country": clean_text(row.get("geo_country")),
                "transaction_id": transaction_id,
                "revenue": revenue,
                "currency": currency if revenue is not None else None,
            }
        )
    problems.raise_if_any()
    return batch


def iter_events(batches: Iterable[Batch]) -> Iterator[dict[str, Any]]:
    for batch in batches:
        yield from batch.events


# --- shops' own clickstreams ---------------------------------------------------------------

_THELOOK_STEPS: Final[Mapping[str, str]] = {
    "product": "view_item",
    "cart": "add_to_cart",
    "purchase": "purchase",
}
_THELOOK_MEDIUMS: Final[Mapping[str, str]] = {
    "adwords": "cpc",
    "email": "email",
    "facebook": "social",
    "youtube": "social",
    "organic": "organic",
}


def read_thelook_events(data: bytes, source: str) -> Batch:
    """Read theLook e-commerce ``events`` (Looker's public sample clickstream).

    ``event_type`` ``product``, ``cart`` and ``purchase`` are the view, cart and
    purchase steps; ``traffic_source`` is the source, its medium derived
    (Adwords is paid search, Facebook and YouTube social).
    """
    problems = Problems(source)
    batch = Batch("thelook-events")
    for index, raw in enumerate(json_rows(data, source), start=1):
        where = f"record {index}"
        if not isinstance(raw, Mapping):
            problems.add(where, "not an object")
            continue
        row = {str(k).lower(): v for k, v in raw.items()}
        session, stamp, kind = (
            clean_text(row.get("session_id")),
            row.get("created_at"),
            clean_text(row.get("event_type")),
        )
        if session is None or stamp is None or kind is None:
            problems.add(where, "fields 'session_id', 'created_at' and 'event_type' are required")
            continue
        try:
            ts = epoch_micros(stamp)
        except (ValueError, OverflowError):
            problems.add(where, f"field 'created_at': not epoch microseconds {stamp!r}")
            continue
        origin = clean_text(row.get("traffic_source"))
        batch.events.append(
            {
                "source": "thelook",
                "event_key": clean_text(row.get("id")) or f"{session}.{row.get('sequence_number')}",
                "session_key": session,
                "user_key": clean_text(row.get("user_id")),
                "ts": ts,
                "event_name": kind,
                "step": _THELOOK_STEPS.get(kind),
                "traffic_source": origin.lower() if origin else None,
                "medium": _THELOOK_MEDIUMS.get((origin or "").lower()),
                "campaign": None,
                "gclid": False,
                "device": None,
                "country": None,
                "transaction_id": None,
                "revenue": None,
                "currency": None,
            }
        )
    problems.raise_if_any()
    return batch


def read_shopify_checkouts(data: bytes, source: str) -> Batch:
    """Read Shopify checkouts (``{"checkouts": [...]}``, the abandoned-checkouts API).

    Each checkout is a visit that reached the cart and the checkout, with the
    cart's value; a completed one (``completed_at``) also reached the purchase.
    """
    problems = Problems(source)
    batch = Batch("shopify-checkouts")
    document = json_rows(data, source)
    for index, checkout in enumerate(document, start=1):
        where = f"record {index}"
        if not isinstance(checkout, Mapping):
            problems.add(where, "not an object")
            continue
        token = clean_text(checkout.get("token")) or clean_text(checkout.get("id"))
        currency = clean_text(checkout.get("currency"))
        created = checkout.get("created_at")
        if token is None or currency is None or created is None:
            problems.add(where, "fields 'token', 'currency' and 'created_at' are required")
            continue
        try:
            ts = parse_timestamp(created)
            value = amount(checkout.get("subtotal_price") or "0", currency, exact=True)
        except (ValueError, EcomrulesError) as exc:
            problems.add(where, f"field 'created_at' or 'subtotal_price': {exc}")
            continue
        common = {
            "source": "shopify",
            "session_key": token,
            "user_key": clean_text(checkout.get("email")),
            "traffic_source": clean_text(checkout.get("referring_site")),
            "medium": None,
            "campaign": None,
            "gclid": bool(_CLICK_IDS.search(str(checkout.get("landing_site") or ""))),
            "device": None,
            "country": clean_text(get_path(checkout, "billing_address", "country_code")),
        }
        steps = [("add_to_cart", value), ("begin_checkout", None)]
        completed = checkout.get("completed_at")
        for step, revenue in steps:
            batch.events.append(
                {
                    **common,
                    "event_key": f"{token}.{step}",
                    "ts": ts,
                    "event_name": f"checkout_{step}",
                    "step": step,
                    "transaction_id": None,
                    "revenue": revenue,
                    "currency": currency if revenue is not None else None,
                }
            )
        if completed:
            try:
                done = parse_timestamp(completed)
            except ValueError:
                problems.add(where, "field 'completed_at': not a date-time")
                continue
            batch.events.append(
                {
                    **common,
                    "event_key": f"{token}.purchase",
                    "ts": done,
                    "event_name": "checkout_completed",
                    "step": "purchase",
                    "transaction_id": clean_text(checkout.get("order_id")),
                    "revenue": None,
                    "currency": None,
                }
            )
    problems.raise_if_any()
    return batch
