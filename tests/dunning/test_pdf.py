"""PDF letters: each page is rendered back to an image (pdfium) and read back as text."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import attrs
import pytest
from typer.testing import CliRunner

from ecomrules import demo
from ecomrules.cli.app import app
from ecomrules.dunning import DunningHistory, Letter, load_policy, load_sender, plan
from ecomrules.dunning.pdf import letter_pdf
from ecomrules.errors import ConfigError
from ecomrules.testing.dunning import customer, open_item

pdfium = pytest.importorskip("pypdfium2", reason="the test extra renders PDF pages with pypdfium2")
Image = pytest.importorskip("PIL.Image", reason="Pillow comes with fpdf2 (the pdf extra)")

SENDER = load_sender(demo.path("sender.toml"))
AS_OF = date(2025, 7, 20)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core, .ci/run


def _letter(language: str, name: str = "Dupont & Fils") -> Letter:
    who = attrs.evolve(
        customer("C1", language=language), name=name, address=("1 rue Haute", "75001 Paris")
    )
    items = [open_item("A", date(2025, 5, 20), "3200.00"), open_item("B", date(2025, 6, 2))]
    result = plan(items, [who], DunningHistory(), load_policy("fr-b2b"), AS_OF, sender=SENDER)
    (notice,) = result.notices
    assert notice.letter is not None
    return notice.letter


def _pages(data: bytes) -> list[tuple[Image.Image, str]]:
    document = pdfium.PdfDocument(data)
    out = []
    for page in document:
        image = page.render(scale=1).to_pil().convert("L")
        out.append((image, page.get_textpage().get_text_range()))
    return out


def _ink(image: Image.Image) -> float:
    """The share of the page's pixels that are dark (text, lines, images)."""
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


def _words(text: str) -> list[str]:
    return text.replace("\xa0", " ").replace("\u202f", " ").split()


@pytest.mark.parametrize("language", ["fr", "en", "de", "es"])
def test_a_letter_page_has_ink_and_every_word_of_the_letter(language: str) -> None:
    letter = _letter(language)
    data = letter_pdf(letter, sender=SENDER)
    assert data.startswith(b"%PDF-")
    ((image, text),) = _pages(data)
    assert image.size in {(595, 842), (596, 842)}  # A4 (210 x 297 mm) at 72 dpi
    assert _ink(image) > 0.01
    assert _words(text) == _words(letter.text)
    assert "FR76 3000 4000 0312 3456 7890 143" in text


def test_a_blank_page_would_be_seen() -> None:
    blank = Image.new("L", (595, 842), 255)
    assert _ink(blank) == 0


def test_the_logo_is_drawn_at_the_top_right(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), (0, 0, 0)).save(logo)
    letter = _letter("en")
    with_logo = _pages(letter_pdf(letter, sender=attrs.evolve(SENDER, logo=str(logo))))[0][0]
    without = _pages(letter_pdf(letter, sender=SENDER))[0][0]
    corner = (430, 60, 530, 110)  # inside the logo: 40 x 20 mm from (150, 20) mm
    assert _ink(with_logo.crop(corner)) > 0.9
    assert _ink(without.crop(corner)) == 0


def test_a_missing_logo_is_a_config_error(tmp_path: Path) -> None:
    sender = attrs.evolve(SENDER, logo=str(tmp_path / "nope.png"))
    with pytest.raises(ConfigError, match=r"\$\.logo: no such image file"):
        letter_pdf(_letter("en"), sender=sender)


def test_a_character_the_built_in_font_lacks_is_refused_not_dropped() -> None:
    letter = _letter("en", name="Łukasz Żółć Sp. z o.o.")
    with pytest.raises(ConfigError, match=r"cannot show 'Ł' \(U\+0141\) on line 9"):
        letter_pdf(letter)


def test_a_truetype_font_shows_any_script() -> None:
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is absent: apt-get install fonts-dejavu-core")
    letter = _letter("en", name="Łukasz Żółć Sp. z o.o.")
    ((image, text),) = _pages(letter_pdf(letter, font=DEJAVU))
    assert "Łukasz Żółć Sp. z o.o." in text
    assert _ink(image) > 0.01


def test_a_font_that_is_not_one_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "font.ttf"
    bad.write_text("not a font", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\$\.font: not a TrueType font"):
        letter_pdf(_letter("en"), font=bad)


def test_a_long_letter_goes_on_to_a_second_page() -> None:
    letter = _letter("en")
    long = attrs.evolve(letter, text=letter.text + "\n".join(f"line {n}" for n in range(80)))
    pages = _pages(letter_pdf(long))
    assert len(pages) > 1
    assert "line 79" in pages[-1][1]
    assert _words(" ".join(text for _, text in pages)) == _words(long.text)
    assert all(_ink(image) > 0.001 for image, _ in pages)


def test_dunning_plan_writes_one_pdf_per_letter(tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = CliRunner().invoke(
        app,
        [
            "dunning",
            "plan",
            "--open-items",
            str(demo.path("open-items.csv")),
            "--customers",
            str(demo.path("customers.csv")),
            "--policy",
            "fr-b2b",
            "--as-of",
            "2026-11-20",
            "--workspace",
            str(tmp_path / "w.db"),
            "--sender",
            str(demo.path("sender.toml")),
            "--pdf",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    written = [Path(path) for path in document["pdf"]]
    assert len(written) == len(document["notices"]) > 0
    assert sorted(written) == sorted(out.iterdir())
    for path, notice in zip(written, document["notices"], strict=True):
        assert path.name == f"{notice['customer_id']}-{notice['level']}.pdf"
        ((image, text),) = _pages(path.read_bytes())
        assert _ink(image) > 0.01
        assert _words(text) == _words(notice["message"]["text"])
