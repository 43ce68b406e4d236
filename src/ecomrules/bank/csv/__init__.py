"""A configurable CSV bank statement for banks without a standard format."""

from ecomrules.bank.csv.config import (
    DEFAULT_COLUMNS,
    CsvColumns,
    CsvConfig,
    CsvLayout,
    load_csv_config,
)
from ecomrules.bank.csv.parser import CsvParser, parse_csv_file
from ecomrules.bank.csv.writer import write_csv

__all__ = [
    "DEFAULT_COLUMNS",
    "CsvColumns",
    "CsvConfig",
    "CsvLayout",
    "CsvParser",
    "load_csv_config",
    "parse_csv_file",
    "write_csv",
]
