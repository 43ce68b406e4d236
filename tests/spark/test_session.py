"""The Spark plumbing: version and Java checks as SparkError, a loopback local session."""

from __future__ import annotations

from typing import Any

import pytest

from ecomrules import sparkrun
from ecomrules.errors import SparkError


def test_local_session_runs_arrow_on_the_loopback(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    frame = spark.createDataFrame([(1, "a"), (2, "b")], "n long, s string")
    assert sorted(row.n for row in frame.collect()) == [1, 2]


def test_missing_java_is_a_spark_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    with pytest.raises(SparkError, match=r"no Java runtime found on JAVA_HOME=.*Java 17"):
        sparkrun.java_version()


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'openjdk version \"1.8.0_402\"' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(SparkError, match="is Java 8; Spark 4 needs Java 17"):
        sparkrun.java_version()


def test_unsupported_pyspark_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sparkrun.metadata, "version", lambda name: "3.5.1")
    with pytest.raises(SparkError, match=r"PySpark 3\.5\.1 is not supported.*ecomrules\[spark\]"):
        sparkrun.spark_version()
