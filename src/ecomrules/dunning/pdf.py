"""A rendered letter as a PDF page, for the post (the optional ``pdf`` extra).

:func:`letter_pdf` lays out the letter's plain text on A4 with fpdf2 (pure
Python: no system library, ADR 0042), the subject in bold and the sender's
logo at the top right when it is a local file. The text is the same one the
templates render, so the PDF says exactly what the e-mail says.

Without a ``font``, the PDF uses the viewer's built-in Helvetica, which shows
the characters of Windows-1252 (Western European languages, the euro sign); a
letter with other characters (Polish, Greek, Cyrillic names) needs a TrueType
font file, given as ``font``. A character the font cannot show is refused
with a :class:`~ecomrules.errors.ConfigError`, never printed as a blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecomrules.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from ecomrules.dunning.plan import Letter
    from ecomrules.dunning.sender import Sender

__all__ = ["letter_pdf"]

_CORE_ENCODING = "windows-1252"
# babel writes thin and narrow no-break spaces in French amounts; the core
# font has the plain no-break space, which reads the same on paper.
_CORE_SPACES = str.maketrans({"\u202f": "\xa0", "\u2009": "\xa0"})
_MARGIN = 20.0
_LINE = 5.0
_SIZE = 10.0


def letter_pdf(
    letter: Letter, *, sender: Sender | None = None, font: str | Path | None = None
) -> bytes:
    """Return the letter as the bytes of a PDF document (A4, one or more pages).

    ``sender`` gives the logo (a local image file); ``font`` is a TrueType
    file for letters outside Western European scripts.
    """
    try:
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - depends on the installation
        raise ConfigError(
            "pdf", [ConfigProblem("$", 'PDF letters need the extra: pip install "ecomrules[pdf]"')]
        ) from None
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=_MARGIN)
    pdf.set_title(letter.subject)
    pdf.set_creator("ecomrules")
    if font is None:
        pdf.core_fonts_encoding = _CORE_ENCODING
        family = "helvetica"
        text = letter.text.translate(_CORE_SPACES)
        subject = letter.subject.translate(_CORE_SPACES)
        _check_core_characters(text, letter)
    else:
        family = "letter"
        _add_font(pdf, Path(font))
        text, subject = letter.text, letter.subject
    pdf.add_page()
    if sender is not None and sender.logo and "://" not in sender.logo:
        _logo(pdf, Path(sender.logo))
    for line in text.split("\n"):
        bold = line.strip() == subject and bool(subject)
        pdf.set_font(family, "B" if bold and font is None else "", _SIZE + (1 if bold else 0))
        if not line.strip():
            pdf.ln(_LINE)
        elif pdf.get_string_width(line) <= pdf.epw:  # most lines: no line breaking to do
            pdf.cell(0, _LINE, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(0, _LINE, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _check_core_characters(text: str, letter: Letter) -> None:
    try:
        text.encode(_CORE_ENCODING)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        number = text.count("\n", 0, exc.start) + 1
        raise ConfigError(
            "pdf",
            [
                ConfigProblem(
                    "$.font",
                    f"the built-in font cannot show {char!r} (U+{ord(char):04X}) on "
                    f"line {number} of the letter {letter.subject!r}: pass a TrueType "
                    "font file (font=, --pdf-font)",
                )
            ],
        ) from None


_FONT_MAGIC = (b"\x00\x01\x00\x00", b"true", b"OTTO")


def _add_font(pdf: Any, path: Path) -> None:
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as exc:
        raise ConfigError(
            str(path), [ConfigProblem("$.font", f"cannot read: {exc.strerror}")]
        ) from None
    if magic not in _FONT_MAGIC:  # checked here: fontTools leaves the file open on a bad one
        raise ConfigError(str(path), [ConfigProblem("$.font", "not a TrueType font")])
    try:
        pdf.add_font("letter", "", str(path))
    except Exception as exc:  # fontTools raises many kinds on a file that is not a font
        raise ConfigError(
            str(path), [ConfigProblem("$.font", f"not a TrueType font: {exc}")]
        ) from None


def _logo(pdf: Any, path: Path) -> None:
    if not path.is_file():
        raise ConfigError(str(path), [ConfigProblem("$.logo", "no such image file")])
    try:
        pdf.image(str(path), x=pdf.w - _MARGIN - 40, y=_MARGIN, w=40)
    except Exception as exc:  # Pillow raises many kinds on a file that is not an image
        raise ConfigError(str(path), [ConfigProblem("$.logo", f"not an image: {exc}")]) from None
