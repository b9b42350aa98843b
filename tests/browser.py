"""One headless Chromium for the whole test session (Debian's package, driven by Playwright).

Playwright must never download a browser of its own (``playwright install`` fails on these
machines): it launches the system's ``chromium`` by path. ``make test`` installs the package
when it is missing and it runs as root; otherwise a browser test fails saying what to
install (set ``AGC_SKIP_BROWSER=1`` to skip the browser tests instead).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
INSTALL = ("the browser tests need Chromium and Playwright's Python package: "
           "`sudo apt-get install chromium` (or `make test`, which installs it as root) and "
           "`pip install -e '.[dev]'`; AGC_SKIP_BROWSER=1 skips them")


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _missing(what: str) -> None:
    if os.environ.get("AGC_SKIP_BROWSER"):
        pytest.skip(f"{what} missing; AGC_SKIP_BROWSER is set")
    pytest.fail(f"{what} missing: {INSTALL}", pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if os.environ.get("AGC_SKIP_BROWSER"):  # (the README: AGC_SKIP_BROWSER=1 skips them)
        pytest.skip("AGC_SKIP_BROWSER is set")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python package")
    path = chromium_path()
    if path is None:
        _missing("Chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page that records every request leaving ``file://`` and every console error."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith("file://"):
                r.continue_()
            else:  # recorded and refused: the page must work with no network at all
                self.requests.append(url)
                r.abort()

        page.route("**/*", route)
        page.on("request", lambda req: None if req.url.startswith("file://")
                else self.requests.append(req.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh page; after the test, no network request and no console error is allowed."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    w = Watched(context.new_page())
    yield w
    context.close()
    assert w.requests == [], f"the page made network requests: {w.requests}"
    assert w.errors == [], f"the page logged console errors: {w.errors}"
