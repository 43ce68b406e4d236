"""Trustly settlement files: funding (``P11KFUN``) and reconciliation (``P11KREC``).

Both are comma-separated record files without a header row: the first field
of each line is the record type. See ``docs/formats/other-psps.md``.
"""
