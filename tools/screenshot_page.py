"""The README's picture of the step-through page: the lecture's expression at a backward step.

    .venv/bin/python tools/screenshot_page.py [STEP]    # writes docs/step-through.png

Headless Chromium (the system's, as in the tests) opens ``save_html``'s page at
``#step=STEP`` (default 5: the chain rule at ``e = a*b``) and takes a screenshot of it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from autograd_core import save_html
from nn.explain import lecture_expression

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "step-through.png"


def main(step: int = 5) -> Path:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = save_html(lecture_expression(), Path(tmp) / "steps.html",
                         title="Backpropagation through L = ((a·b + c).tanh() − y)²")
        browser = p.chromium.launch(executable_path=shutil.which("chromium")
                                    or "/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 980, "height": 600})
        page.goto(path.as_uri() + f"#step={step}")
        page.wait_for_selector(f".panel[data-k='{step}'][data-kind='step']")
        OUT.parent.mkdir(exist_ok=True)
        page.locator(".agc-page").screenshot(path=str(OUT))
        browser.close()
    return OUT


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
