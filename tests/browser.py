"""A headless Chromium page for tests that must see report.html as a browser renders it.

The browser is `GRADER_CHROMIUM` (a path; `GRADER_CHROMIUM_ARGS`, a JSON list of flags it needs), else a
`chromium`/`chromium-browser`/`google-chrome` on PATH, driven through Playwright. `.ci/run` sets both variables
from `../shared/tools/chromium`, so in CI (`CI=true`) a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must render the report in a browser: {reason} (see .ci/run)")
    pytest.skip(reason)


def chromium() -> tuple[str, list[str]]:
    """The browser's path and flags, or fail (CI) / skip (elsewhere) saying what is missing."""
    exe = os.environ.get("GRADER_CHROMIUM") or next(
        (p for n in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(n))), ""
    )
    if not exe or not Path(exe).exists():
        _missing("no Chromium: set GRADER_CHROMIUM or install chromium")
    args = json.loads(os.environ.get("GRADER_CHROMIUM_ARGS") or '["--no-sandbox"]')
    return exe, args


@contextmanager
def browser_page(page_file: Path) -> Iterator[Any]:
    """A Playwright page with `page_file` loaded, offline (any request to the network is aborted and counted)."""
    exe, args = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=args)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("http*://**", lambda route: (requests.append(route.request.url), route.abort()))
            page.goto(page_file.as_uri())
            yield page
        finally:
            browser.close()
    assert not requests, f"the report asked the network for {requests}"
