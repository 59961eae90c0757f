"""Shared, read-only facts about one parsed file that rules build on."""
