"""GoCardless exports. See ``docs/formats/other-psps.md``."""
