"""Adyen reports: the Settlement details report (CSV or XLSX) and the Payment accounting report.

See ``docs/formats/adyen.md`` for the columns read, the signs and the kinds.
"""
