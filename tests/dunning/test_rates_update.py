"""``ecomrules rates update``: a downloaded ECB series replaces the shipped table everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.dunning.rates import (
    builtin_rate_table,
    rate_table_update,
    read_ecb_csv,
    user_rates_dir,
)
from ecomrules.errors import ConfigError

# The ECB Data Portal's CSV export: DATE, TIME PERIOD, then the series titled with its key.
PORTAL = (
    '"DATE","TIME PERIOD","Main refinancing operations - fixed rate tenders (fixed rate) '
    '(date of changes) - Level (FM.B.U2.EUR.4F.KR.MRR_FR.LEV)"\n'
    '"2025-03-12","2025-03-12","2.65"\n'
    '"2025-04-23","2025-04-23","2.4"\n'
    '"2025-06-11","2025-06-11","2.15"\n'
    '"2026-03-18","2026-03-18","1.9"\n'
)
# The web service's SDMX CSV: one row per observation, here a daily series.
SDMX = (
    "KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,"
    "TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
    "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-10,2.40,A\n"
    "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-11,2.15,A\n"
    "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-12,2.15,A\n"
    "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-13,NaN,M\n"
    "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-12-31,2.15,A\n"
)


def _file(tmp_path: Path, text: str, name: str = "ecb.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_both_ecb_layouts_are_read_and_a_daily_series_is_folded(tmp_path: Path) -> None:
    portal = read_ecb_csv(_file(tmp_path, PORTAL))
    assert portal.entries[-1] == (date(2026, 3, 18), Decimal("1.9"))
    assert portal.known_until == date(2026, 3, 18)
    sdmx = read_ecb_csv(_file(tmp_path, SDMX, "sdmx.csv"), known_until=date(2026, 1, 5))
    assert sdmx.entries == (
        (date(2025, 6, 10), Decimal("2.40")),
        (date(2025, 6, 11), Decimal("2.15")),
    )
    assert sdmx.known_until == date(2026, 1, 5)


def test_update_keeps_the_shipped_history_and_every_policy_uses_it(tmp_path: Path) -> None:
    shipped = builtin_rate_table("ecb-mro")
    path, saved = rate_table_update(
        "ecb-mro", read_ecb_csv(_file(tmp_path, PORTAL)), directory=tmp_path / "d"
    )
    assert path == tmp_path / "d" / "ecb-mro.csv"
    assert saved.entries[: len(shipped.entries) - 3] == shipped.entries[:-3]
    assert saved.rate_on(date(2026, 11, 20)) == Decimal("1.9")
    assert saved.rate_on(date(2010, 1, 1)) == shipped.rate_on(date(2010, 1, 1))
    assert builtin_rate_table("ecb-mro", directory=tmp_path / "d") == saved
    assert builtin_rate_table("ecb-mro", directory=tmp_path / "empty") == shipped


def test_a_saved_table_older_than_the_shipped_one_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "ecb-mro.csv").write_text(
        "# known_until: 2024-01-01\nfrom,rate\n2023-09-20,4.50\n", encoding="utf-8"
    )
    assert builtin_rate_table("ecb-mro", directory=folder) == builtin_rate_table("ecb-mro")


def test_another_series_is_refused(tmp_path: Path) -> None:
    deposit = PORTAL.replace('"2.15"', '"2.00"').replace('"2.4"', '"2.25"')
    with pytest.raises(ConfigError) as caught:
        rate_table_update("ecb-mro", read_ecb_csv(_file(tmp_path, deposit)), directory=tmp_path)
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        "ecb.csv:2025-04-23: gives 2.25 where the shipped table 'ecb-mro' has 2.40: "
        "is this the right series?",
        "ecb.csv:2025-06-11: gives 2.00 where the shipped table 'ecb-mro' has 2.15: "
        "is this the right series?",
    ]
    assert not (tmp_path / "ecb-mro.csv").exists()


def test_an_older_download_is_refused(tmp_path: Path) -> None:
    until_june = PORTAL.removesuffix('"2026-03-18","2026-03-18","1.9"\n')
    old = read_ecb_csv(_file(tmp_path, until_june), known_until=date(2025, 6, 30))
    with pytest.raises(ConfigError, match=r"known until 2025-06-30, before the table in use"):
        rate_table_update("ecb-mro", old, directory=tmp_path)


def test_a_download_cannot_be_known_until_before_its_last_rate(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"rate on 2026-03-18, after the day .* \(2026-01-01\)"):
        read_ecb_csv(_file(tmp_path, PORTAL), known_until=date(2026, 1, 1))


def test_the_command_takes_the_file_s_date_as_the_day_it_is_known_until(tmp_path: Path) -> None:
    download = _file(tmp_path, PORTAL)
    downloaded = datetime(2026, 11, 30, 12, 0).timestamp()
    os.utime(download, (downloaded, downloaded))
    done = _run("rates", "update", str(download), "--json", data=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["known_until"] == "2026-11-30"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n", "not a rate series"),
        ('"DATE","TIME PERIOD","X"\n"2025-01-01","2025-01-01","abc"\n', "'abc' is not a rate"),
        ('"DATE","TIME PERIOD","X"\n"01/02/2025","x","2.0"\n', ":2: no date in column 1"),
        ("", "the file is empty"),
    ],
)
def test_a_file_that_is_not_a_rate_series_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        read_ecb_csv(_file(tmp_path, text))


def test_the_french_legal_rate_is_refreshed_from_a_from_rate_file(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text("from,rate\n2026-01-01,6.67\n2026-07-01,6.10\n", encoding="utf-8")
    saved_at, saved = rate_table_update(
        "fr-legal-consumer", read_ecb_csv(path, name="fr-legal-consumer"), directory=tmp_path
    )
    assert saved_at == tmp_path / "fr-legal-consumer.csv"
    assert saved.known_until == date(2026, 7, 1)
    assert builtin_rate_table("fr-legal-consumer", directory=tmp_path) == saved
    assert saved.rate_on(date(2026, 8, 1)) == Decimal("6.10")
    assert saved.rate_on(date(2021, 3, 1)) == builtin_rate_table("fr-legal-consumer").rate_on(
        date(2021, 3, 1)
    )


def _run(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ECOMRULES_DATA_DIR": str(data)},
    )


def test_rates_update_silences_the_demo_warning_and_changes_the_interest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = _run("demo", "--json", data=data)
    assert before.returncode == 0, before.stderr
    dunning = json.loads(before.stdout)["dunning"]
    assert dunning["issues"] == ["dunning.rate_table_outdated"]
    done = _run(
        "rates",
        "update",
        str(_file(tmp_path, PORTAL)),
        "--known-until",
        "2026-11-30",
        "--json",
        data=data,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["known_until"] == "2026-11-30"
    assert report["saved_to"] == str(data / "rates" / "ecb-mro.csv")

    after = json.loads(_run("demo", "--json", data=data).stdout)["dunning"]
    assert after["issues"] == []
    interest = [
        (c["item_id"], c["amount"])
        for n in after["notices"]
        for c in n["charges"]
        if c["kind"] == "interest"
    ]
    earlier = [
        (c["item_id"], c["amount"])
        for n in dunning["notices"]
        for c in n["charges"]
        if c["kind"] == "interest"
    ]
    assert interest
    assert interest != earlier  # from 2026 S2 the rate is 1.9, no longer 2.15
    shown = json.loads(_run("rates", "show", "--json", data=data).stdout)
    assert shown["tables"][0]["rate"] == "1.9"


def test_a_bad_download_exits_2_without_traceback(tmp_path: Path) -> None:
    done = _run("rates", "update", str(_file(tmp_path, "a,b\n1,2\n")), data=tmp_path)
    assert done.returncode == 2
    assert "not a rate series" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "rates").exists()


def test_the_tests_never_read_this_machine_s_saved_tables() -> None:
    assert str(user_rates_dir()).startswith(os.environ["ECOMRULES_DATA_DIR"])
    assert "ecomrules-data-" in os.environ["ECOMRULES_DATA_DIR"]


def test_a_latin_1_download_is_named_and_read_with_encoding(tmp_path: Path) -> None:
    download = tmp_path / "ecb.csv"
    download.write_bytes(("# source: Banque centrale européenne\n" + PORTAL).encode("latin-1"))
    refused = _run("rates", "update", str(download), data=tmp_path / "data")
    assert refused.returncode == 2
    assert "ecb.csv:1: not UTF-8 (byte 0xe9); try --encoding latin-1" in refused.stderr
    done = _run(
        "rates", "update", str(download), "--encoding", "latin-1", "--json", data=tmp_path / "data"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (found["last_change"], found["rate"]) == ("2026-03-18", "1.9")
