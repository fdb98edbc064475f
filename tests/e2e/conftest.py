"""Browser tests: Playwright drives Debian's Chromium (never a browser build of Playwright's own).

`make e2e` installs what is needed (scripts/ensure_chromium.py, the `e2e` extra). When no browser is there
the tests fail with a plain message instead of being skipped, so a missing browser is never mistaken for a
pass.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: A phone: members and residents use the product on one.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"no browser: {CHROMIUM} missing (make e2e installs Debian's chromium when it can)", pytrace=False
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "no Playwright: install the e2e extra (make e2e does: pip install -e '.[e2e]')", pytrace=False
        )
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM calls from the
    # test itself (factories, database flushes between tests). They are plain synchronous calls, so allow
    # them — for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone(browser: Any, settings: Any) -> Iterator[Callable[[], Any]]:
    """`phone()` opens a new phone-sized browser context (its own cookies: one person each) and a page."""
    # The live server speaks plain HTTP: cookies marked Secure (the production default) would be dropped.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    contexts = []

    def open_page() -> Any:
        context = browser.new_context(**PHONE)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
