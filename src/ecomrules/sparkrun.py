"""Apache Spark sessions for the distributed engines: checks first, then a session.

``ecomrules.reconcile.spark`` and ``ecomrules.dunning.spark`` run the
embedded engines' own decision code on Spark partitions. They take the
caller's ``SparkSession`` (a cluster, Databricks, EMR, Dataproc); this module
only checks that Spark can run at all and builds a *local* session for the
command line and the tests. Everything that can be missing is reported as a
:class:`~ecomrules.errors.SparkError` that says what to install, never as an
``ImportError`` or a Java stack trace:

- PySpark itself (the optional extra ``ecomrules[spark]``), at a supported
  version (4.x: the engines use ``applyInArrow``, new in 4.0);
- a Java runtime of version 17 or later, found by ``JAVA_HOME`` or ``PATH``
  (checked before Spark starts its JVM, whose own failure is an opaque
  "Java gateway process exited").

A local session runs its Python workers with this process's interpreter
(so they import the same ``ecomrules``), binds its driver to 127.0.0.1,
has no web UI and runs in UTC, so that a test or a command-line run opens
no port beyond the loopback and gives the same dates on every machine.
Nothing here changes process-wide state beyond what Spark itself does when
a session starts (a JVM child process, stopped with the session).

Both engines also share, from here, how a failure is told in one line
(:func:`first_line`), how a result names its tables (:class:`SparkTable`),
and how a documented layout's input is read: :func:`layout_frame` (the
header checked by the layout, every column as its text) and
:func:`row_problems` (a partition's rows that break the layout, each named
by its key and column; the input's CSV file is then read again by the
library's reader, :func:`input_failure`, so the error names file, line and
column).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol, overload

from ecomrules.errors import InputError, SparkError

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

    from ecomrules.inputs.layout import Layout

__all__ = [
    "SPARK_VERSIONS",
    "TASK_MARK",
    "SparkTable",
    "check_spark",
    "first_line",
    "input_failure",
    "java_version",
    "layout_frame",
    "local_session",
    "row_problems",
    "spark_version",
]

SPARK_VERSIONS = (4, 5)
"""Supported PySpark major versions: from the first (included) to the second (excluded)."""

INSTALL_HINT = 'pip install "ecomrules[spark]"'
JAVA_HINT = (
    "install a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
)

_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def spark_version() -> tuple[int, int]:
    """The installed PySpark's (major, minor); :class:`SparkError` if absent or unsupported."""
    try:
        text = metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        raise SparkError(f"Apache Spark (PySpark) is not installed: {INSTALL_HINT}") from None
    match = re.match(r"(\d+)\.(\d+)", text)
    if match is None:
        raise SparkError(f"PySpark reports an unreadable version {text!r}: {INSTALL_HINT}")
    major, minor = int(match.group(1)), int(match.group(2))
    low, high = SPARK_VERSIONS
    if not low <= major < high:
        raise SparkError(
            f"PySpark {text} is not supported: ecomrules needs PySpark {low}.x"
            f" (applyInArrow); {INSTALL_HINT}"
        )
    return major, minor


def java_version() -> int:
    """The major version of the Java runtime Spark would start; :class:`SparkError` below 17."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        where = f"JAVA_HOME={home}" if home else "PATH"
        raise SparkError(
            f"no Java runtime found on {where}: Spark needs Java 17 or later; {JAVA_HINT}"
        )
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SparkError(f"{java} -version failed ({error}): {JAVA_HINT}") from None
    match = _JAVA_VERSION.search(done.stderr + done.stdout)
    if match is None:
        raise SparkError(f"{java} -version printed no version: {JAVA_HINT}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8" is Java 8
        major = int(match.group(2))
    if major < 17:
        raise SparkError(f"{java} is Java {major}; Spark 4 needs Java 17 or later: {JAVA_HINT}")
    return major


def check_spark() -> tuple[tuple[int, int], int]:
    """Both checks at once: ((spark major, minor), java major), or :class:`SparkError`."""
    return spark_version(), java_version()


def local_session(
    master: str = "local[2]",
    *,
    app_name: str = "ecomrules",
    shuffle_partitions: int = 8,
    config: dict[str, str] | None = None,
) -> SparkSession:
    """A Spark session for a command-line run or a test: loopback only, no UI, UTC.

    ``master`` is ``local[N]`` by default; a ``spark://`` or ``yarn`` URL joins
    a cluster (the driver still binds to the loopback unless ``config`` sets
    ``spark.driver.host``). Checks PySpark and Java first.
    """
    check_spark()
    from pyspark.sql import SparkSession

    settings: dict[str, str] = {
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.memory": "2g",
        "spark.ui.showConsoleProgress": "false",
    }
    if master.startswith("local"):
        settings["spark.driver.host"] = "127.0.0.1"
        settings["spark.driver.bindAddress"] = "127.0.0.1"
    settings.update(config or {})
    builder: Any = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    # The JVM's launcher reads SPARK_LOCAL_IP when it starts, and the context takes
    # its workers' interpreter from PYSPARK_PYTHON (this process's, so that they
    # import the same ecomrules): set for that moment only.
    added: list[str] = []
    if master.startswith("local"):
        for name, value in (("SPARK_LOCAL_IP", "127.0.0.1"), ("PYSPARK_PYTHON", sys.executable)):
            if name not in os.environ:
                os.environ[name] = value
                added.append(name)
    try:
        session: SparkSession = builder.getOrCreate()
    except Exception as error:  # the JVM's failures arrive as many types
        raise SparkError(f"Spark could not start ({master}): {error}") from None
    finally:
        for name in added:
            os.environ.pop(name, None)
    session.sparkContext.setLogLevel("ERROR")
    return session


TASK_MARK = "ecomrules-spark-task"
"""Starts the message of an error raised in a Python worker on purpose (what failed, where):
:func:`first_line` finds it among the lines Spark wraps around it."""

_RAISED = re.compile(r"^(?:[A-Za-z_][\w.]*)?(?:Error|Exception|Exit)\b: .+")
"""A Python (or JVM) exception line: ``ValueError: ...``, ``java.lang.OutOfMemoryError: ...``."""


def first_line(error: BaseException) -> str:
    """What went wrong, in one line, out of the many a failed Spark job reports.

    In this order: the message a worker raised with :data:`TASK_MARK`; else
    the last exception line of the (Python) text before its ``SQLSTATE``;
    else a JVM failure's own exception (Py4J's "An error occurred while
    calling oN.parquet." is followed by ``": <the exception>"``); else the
    error's type and first line.
    """
    text = str(error).strip()
    lines = text.splitlines()
    for line in lines:
        if TASK_MARK in line:
            return line.split(TASK_MARK + ": ", 1)[-1].strip()
    head = text.split("SQLSTATE", 1)[0].splitlines()
    raised = [line.strip() for line in head if _RAISED.match(line.strip())]
    if raised:
        return raised[-1]
    java = [line[2:].strip() for line in lines[1:] if line.startswith(": ")]
    if java:
        return java[0][:400]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


class _Tables(Protocol):
    def table(self, name: str) -> DataFrame: ...


class SparkTable:
    """One table of a Spark result as an attribute: ``plan.notices`` is ``plan.table("notices")``.

    The attribute's name is the table's; the result class defines ``table(name)``.
    """

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> SparkTable: ...

    @overload
    def __get__(self, instance: _Tables, owner: type | None = None) -> DataFrame: ...

    def __get__(self, instance: _Tables | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance.table(self.name)


def layout_frame(
    frame: DataFrame, layout: Layout, source: str, origin: str | None = None
) -> DataFrame:
    """``frame``'s columns of ``layout`` as text, an empty or absent cell ``''``.

    The header is checked by the layout's own rule (missing and unknown
    columns); a floating-point column of an amount is refused (an amount
    must be exact). :class:`InputError` says ``source`` (the file's name,
    or "... DataFrame") in each problem, and is the error of ``origin`` (the
    file's path) when given.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, FloatType

    from ecomrules.inputs.layout import header_problems

    known = [column.name for column in layout.columns]
    problems = header_problems(source, list(frame.columns), known, layout.required)
    types = {f.name: f.dataType for f in frame.schema.fields}
    problems.extend(
        f"{source}: column {column.name!r} is a floating-point column: "
        "an amount must be exact (a decimal or its text)"
        for column in layout.columns
        if column.name in types and isinstance(types[column.name], DoubleType | FloatType)
    )
    if problems:
        raise InputError(origin or source, problems)
    return frame.select(
        *(
            F.coalesce(F.col(c.name).cast("string"), F.lit("")).alias(c.name)
            if c.name in types
            else F.lit("").alias(c.name)
            for c in layout.columns
        )
    )


def row_problems(part: pa.Table, layout: Layout, source: str) -> list[str]:
    """Every problem of rows that break ``layout``, each named by the row's key and column."""
    from ecomrules.inputs.table import convert_record

    key_name = layout.key or layout.columns[0].name
    problems: list[str] = []
    columns: dict[str, list[Any]] = {column.name: [] for column in layout.columns}
    keys: list[Any] = []
    for record in part.to_pylist():
        values, found = convert_record(layout, record)
        key = record.get(key_name)
        if found:
            problems.extend(
                f"{source}: {key_name} {key!r}: column {column!r}: {message}"
                for column, message in found
            )
            continue
        keys.append(key)
        for name, value in values.items():
            columns[name].append(value)
    for rule in layout.rules:
        problems.extend(
            f"{source}: {key_name} {keys[i]!r}: column {rule.column!r}: {rule.message}"
            for i in rule.bad(columns)
        )
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            problems.append(f"{source}: column {key_name!r}: {key!r} appears twice")
        seen.add(key)
    return problems or [f"{source}: a row breaks the layout of {layout.name}"]


def input_failure(
    source: str, problems: list[str], file: Path | None, layout: Layout
) -> InputError:
    """The :class:`InputError` of an input whose rows break ``layout``: when it is a CSV
    file, the library's reader's (it names file, line and column), else ``problems``."""
    if file is not None and file.suffix.lower() == ".csv":
        from ecomrules.inputs.table import read_table

        try:
            read_table(file, layout)
        except InputError as exact:
            return exact
    return InputError(source, problems)
