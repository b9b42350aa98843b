"""Shared fixtures: the session's one headless browser (tests/browser.py)."""

from browser import browser, watched  # noqa: F401 (fixtures)
