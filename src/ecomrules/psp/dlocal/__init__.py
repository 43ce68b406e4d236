"""dLocal reports. See ``docs/formats/other-psps.md``."""
