"""Make ``docs/screenshot.png``: the chat answering a question on the seed transcript.

Serves the app on a free loopback port (or uses one already running, ``--url``),
asks the question in headless Chromium, waits for the answer and for the transcript
panel to scroll to its first quote, and saves the window. Needs the test extras
(Playwright) and Debian's Chromium (``make browser``; never ``playwright install``).

    $ .venv/bin/python scripts/screenshot.py
    $ .venv/bin/python scripts/screenshot.py --url http://127.0.0.1:7860/ --out /tmp/s.png
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# before anything imports gradio or the hub client: no analytics, no downloads
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "How many new embassies has Russia already opened in Africa?"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# the answer is complete once its last line (confidence, or the abstention) is in
ANSWERED = """() => { const bots = document.querySelectorAll('[data-testid="bot"]');
    return bots.length > 0 && /confidence|closest passages|does not answer/i
        .test(bots[bots.length - 1].innerText); }"""
QUOTE_SHOWN = """() => { const m = document.querySelector('mark.tqa-active');
    const p = document.querySelector('.tqa-transcript');
    if (!m || !p) return false;
    const a = m.getBoundingClientRect(), b = p.getBoundingClientRect();
    return a.top >= b.top && a.bottom <= b.bottom; }"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _served(corpus: str | None) -> Iterator[str]:
    """The chat for ``corpus`` (default: seeds/) on a free loopback port; its URL."""
    import qa
    import ui

    bot = qa.load(corpus, progress=True)
    app = ui.build_app(bot)
    port = _free_port()
    ui.launch(app, port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


def capture(url: str, out: Path, question: str, *, width: int, height: int) -> str:
    """Ask ``question`` at ``url`` in headless Chromium, save the window to ``out``; the reply."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("screenshot: Chromium is needed: run `make browser`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page: Any = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.fill("#tqa-question textarea", question)
            page.keyboard.press("Enter")
            page.wait_for_function(ANSWERED, timeout=120_000)
            page.wait_for_function(QUOTE_SHOWN, timeout=10_000)
            time.sleep(1.0)  # the panel scrolls smoothly: let it come to rest
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            return str(page.locator('[data-testid="bot"]').last.inner_text())
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the options, serve the app unless ``--url`` names one, take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: serve CORPUS on a free port)")
    parser.add_argument("--corpus", help="transcript file or folder to serve (default: seeds/)")
    parser.add_argument("--question", default=QUESTION, help=f"default: {QUESTION!r}")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--size", default="1440x900", help="window WIDTHxHEIGHT (1440x900)")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))
    if args.url:
        reply = capture(args.url, args.out, args.question, width=width, height=height)
    else:
        with _served(args.corpus) as url:
            reply = capture(url, args.out, args.question, width=width, height=height)
    print(f"{args.out}: {' '.join(reply.split())[:120]}…", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
