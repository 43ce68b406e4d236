"""Worldline (ex-Ingenico) GlobalCollect WX reports. See ``docs/formats/other-psps.md``."""
