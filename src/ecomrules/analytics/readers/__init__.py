"""Readers of shop order exports and web-analytics event exports (see the store for detection)."""
