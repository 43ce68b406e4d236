"""The pre-order CSV files: every bad row reported at once, files checked against each other."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ecomrules import demo
from ecomrules.errors import InputError
from ecomrules.inputs.preorders import read_preorder_inputs
from ecomrules.time import zone

FILES = ("products.csv", "preorders.csv", "supply.csv", "carriers.csv")


def write(folder: Path, **texts: str) -> dict[str, Path]:
    paths = {}
    for name in FILES:
        key = name.removesuffix(".csv")
        target = folder / name
        target.write_text(texts.get(key, demo.path(name).read_text(encoding="utf-8")))
        paths[key] = target
    return paths


def read(paths: dict[str, Path]) -> object:
    return read_preorder_inputs(
        products=paths["products"],
        orders=paths["preorders"],
        supply=paths["supply"],
        carriers=paths["carriers"],
    )


def test_the_demo_files_read_into_core_values(tmp_path: Path) -> None:
    inputs = read(write(tmp_path))
    products = {p.sku: p for p in inputs.products}  # type: ignore[attr-defined]
    assert products["BG-ARK"].release_at == datetime(2026, 12, 4, tzinfo=zone("Europe/Paris"))
    assert products["BG-ARK"].cap == 40
    assert len(inputs.lines) == 17  # type: ignore[attr-defined]


def test_every_bad_row_is_reported_with_line_and_column(tmp_path: Path) -> None:
    products = (
        "sku,name,release_at,release_zone,cap,strict\n"
        "A,Alpha,2026-12-04T00:00,Europe/Paris,-1,true\n"
        "B,Beta,2026-13-04T00:00,Mars/Olympus,,maybe\n"
    )
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, products=products))
    text = str(caught.value)
    assert "products.csv:2: column 'cap'" in text
    assert "products.csv:3: column 'release_at': '2026-13-04T00:00' is not an ISO 8601" in text
    assert "products.csv:3: column 'release_zone'" in text
    assert "products.csv:3: column 'strict': 'maybe' is not true or false" in text


def test_lines_are_checked_against_products_and_carriers(tmp_path: Path) -> None:
    orders = (
        "order_id,customer_id,sku,quantity,ordered_at,country,carrier_service\n"
        "O1,C1,NOPE,1,2026-11-01T10:00:00+01:00,FR,colissimo\n"
        "O2,C1,BG-ARK,1,2026-11-01T10:00:00+01:00,JP,colissimo\n"
        "O2,C1,BG-ARK,1,2026-11-01T10:00:00+01:00,FR,colissimo\n"
        "O3,C1,BG-ARK,0,2026-11-01T10:00:00,FR,colissimo\n"
    )
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, preorders=orders))
    text = str(caught.value)
    assert "preorders.csv:5: column 'quantity'" in text
    assert "preorders.csv:5: column 'ordered_at': '2026-11-01T10:00:00' has no UTC offset" in text
    orders = orders.rsplit("O3", 1)[0]
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, preorders=orders))
    text = str(caught.value)
    assert "preorders.csv:2: column 'sku': 'NOPE' is not in the products file" in text
    assert "preorders.csv:3: column 'carrier_service': 'colissimo' has no route to JP" in text
    assert "preorders.csv:4: column 'sku': 'BG-ARK' repeats order 'O2' of line 3" in text


def test_carriers_and_supply_rows(tmp_path: Path) -> None:
    carriers = (
        "service,zone,transit_days,pickup_cutoff,calendar_country\nx,FR,1,25:00,FR\ny,France,1,,\n"
    )
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, carriers=carriers))
    text = str(caught.value)
    assert "carriers.csv:2: column 'pickup_cutoff': '25:00' is not a time of day" in text
    assert "carriers.csv:3: column 'zone': 'France' is not a two-letter country code" in text
    supply = "sku,quantity,arrival,status\nBG-ARK,3,2026-12-01,lost\nZZ,1,2026-12-01,expected\n"
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, supply=supply))
    assert "supply.csv:2: column 'status'" in str(caught.value)
