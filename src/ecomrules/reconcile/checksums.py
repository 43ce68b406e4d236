"""Checksums of structured payment references: RF ISO 11649 and the national ones.

Each ``is_valid_*`` takes a reference as printed (spaces, ``+++`` and slashes
allowed) and returns True only when its shape and check digit are right.
:func:`structured_kind` names the scheme a reference validates under, if any.
"""

from __future__ import annotations

__all__ = [
    "is_valid_fi",
    "is_valid_iso11649",
    "is_valid_kid",
    "is_valid_ogm",
    "is_valid_qrr",
    "mod97",
    "structured_kind",
]

_QRR_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)
_LETTER_VALUES = str.maketrans({chr(65 + k): str(10 + k) for k in range(26)})


_SPACING = str.maketrans("", "", " -/+*.")


def _is_digits(text: str) -> bool:
    """ASCII digits only: ``'²'`` passes ``str.isdigit`` and breaks ``int``."""
    return text.isascii() and text.isdigit()


def _compact(text: str) -> str:
    return text.translate(_SPACING).upper()


def mod97(text: str) -> int:
    """ISO 7064 mod 97-10 of upper-case letters and digits (letters count 10-35).

    The check of RF creditor references and of IBANs (after moving their first
    four characters to the end): 1 when the check digits hold.

    >>> mod97("3000600001123456789018" + "9FR76")
    1
    """
    return int(text.translate(_LETTER_VALUES)) % 97


def is_valid_iso11649(text: str) -> bool:
    """RF creditor reference (ISO 11649): ``RF`` + 2 check digits + 1-21 letters/digits, mod 97."""
    ref = _compact(text)
    if not (5 <= len(ref) <= 25) or not ref.startswith("RF") or not _is_digits(ref[2:4]):
        return False
    if not ref[4:].isascii() or not ref[4:].isalnum():
        return False
    return mod97(ref[4:] + ref[:4]) == 1


def _mod10_recursive(digits: str) -> int:
    carry = 0
    for ch in digits:
        carry = _QRR_TABLE[(carry + int(ch)) % 10]
    return (10 - carry) % 10


def is_valid_qrr(text: str) -> bool:
    """Swiss QR reference / ISR (ESR) reference: 27 (ISR also 16) digits, recursive mod 10."""
    ref = _compact(text)
    if len(ref) not in (16, 27) or not _is_digits(ref):
        return False
    return _mod10_recursive(ref[:-1]) == int(ref[-1])


def is_valid_ogm(text: str) -> bool:
    """Belgian structured communication (OGM/VCS): 10 digits + mod 97 (0 is written 97)."""
    ref = _compact(text)
    if len(ref) != 12 or not _is_digits(ref):
        return False
    check = int(ref[:10]) % 97 or 97
    return check == int(ref[10:])


def is_valid_fi(text: str) -> bool:
    """Finnish national reference: 4-20 digits, weights 7-3-1 from the right."""
    ref = _compact(text)
    if not (4 <= len(ref) <= 20) or not _is_digits(ref):
        return False
    weights = (7, 3, 1)
    total = sum(int(ch) * weights[i % 3] for i, ch in enumerate(reversed(ref[:-1])))
    return (10 - total % 10) % 10 == int(ref[-1])


def _luhn_ok(ref: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(ref)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _mod11_ok(ref: str) -> bool:
    body, check = ref[:-1], ref[-1]
    total = sum(int(ch) * (2 + i % 6) for i, ch in enumerate(reversed(body)))
    value = 11 - total % 11
    expected = "0" if value == 11 else "-" if value == 10 else str(value)
    return expected == check


def is_valid_kid(text: str) -> bool:
    """Norwegian KID: 2-25 digits with a mod 10 (Luhn) or mod 11 check digit (``-`` for 10)."""
    ref = "".join(ch for ch in text if _is_digits(ch) or ch == "-")
    if not (2 <= len(ref) <= 25) or not _is_digits(ref[:-1]):
        return False
    if ref[-1] == "-":
        return _mod11_ok(ref)
    return _is_digits(ref) and (_luhn_ok(ref) or _mod11_ok(ref))


def structured_kind(text: str) -> str | None:
    """Return ``"rf"``, ``"qrr"``, ``"ogm"``, ``"fi"`` or ``"kid"`` for a valid reference.

    The checks run from the most to the least specific shape, so a 27-digit
    QR reference is ``"qrr"`` even if its digits would also pass a weaker check.
    A reference with no valid check digit returns ``None``.
    """
    stripped = text.strip()
    if stripped.upper().startswith("RF"):
        return "rf" if is_valid_iso11649(stripped) else None
    if "+++" in stripped or "***" in stripped:
        return "ogm" if is_valid_ogm(stripped) else None
    compact = _compact(stripped)
    if not _is_digits(compact):
        return None
    if len(compact) == 27:
        return "qrr" if is_valid_qrr(compact) else None
    for kind, check in (("fi", is_valid_fi), ("kid", is_valid_kid)):
        if check(compact):
            return kind
    return None
