"""Braintree exports. See ``docs/formats/other-psps.md``."""
