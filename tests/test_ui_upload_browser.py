"""In a real headless Chromium: add a transcript from the browser and ask about it; and
the layout at phone size (390x844) and desktop size: the cited span is on screen after
an answer, and no label sits over text.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_ui_support import ARTIFACTS, GRADIO_PANDAS_NOISE, browser_page, running

import qa
from index.embed import HashingEmbedder

pytestmark = [pytest.mark.browser, GRADIO_PANDAS_NOISE]
SEED = Path(__file__).resolve().parents[1] / "seeds"
BOT = '[data-testid="bot"]'
NEW = (
    "Moderator: Welcome to the harbour committee.\n\n"
    "Question: When will the new lighthouse at Pellow Point be finished?\n\n"
    "Ines Varga: The Pellow Point lighthouse will be finished in March 2027, after the "
    "foundations are rebuilt.\n"
)
SIZES = {"phone": (390, 844), "desktop": (1440, 960)}
# every visible label box that overlaps a chat message or transcript text
OVERLAPS = """() => {
  // what is seen of an element: its box clipped by every scrolling ancestor
  const seen = (e) => { let r = e.getBoundingClientRect();
    let [l, t, rr, b] = [r.left, r.top, r.right, r.bottom];
    for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowY;
      if (o === 'visible') continue;
      const c = p.getBoundingClientRect();
      [l, t, rr, b] = [Math.max(l, c.left), Math.max(t, c.top), Math.min(rr, c.right),
                       Math.min(b, c.bottom)];
    }
    return {left: l, top: t, right: rr, bottom: b}; };
  const boxes = (sel) => Array.from(document.querySelectorAll(sel))
    .filter((e) => e.offsetParent !== null).map((e) => [e, seen(e)])
    .filter(([, r]) => r.right > r.left && r.bottom > r.top);
  const labels = boxes('[data-testid="block-label"], label, .label-wrap, '
    + '[data-testid="block-info"]');
  const texts = boxes('[data-testid="bot"], [data-testid="user"], .tqa-text, .tqa-meta, textarea, '
    + '[data-testid="upload-text"]');  // the drop zone's own "Drop File Here" text
  const out = [];
  for (const [l, a] of labels) for (const [t, b] of texts) {
    if (l.contains(t) || t.contains(l)) continue;
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      out.push(`${(l.innerText || l.className).slice(0, 30)} over ${t.className.slice(0, 30)}`);
  }
  return out; }"""
ON_SCREEN = """() => { const m = document.querySelector('mark.tqa-active');
  if (!m) return false; const r = m.getBoundingClientRect();
  const p = m.closest('.tqa-transcript').getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight && r.top >= p.top && r.bottom <= p.bottom
    && r.left >= 0 && r.right <= window.innerWidth; }"""


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def _wait_answers(page: Any, count: int) -> None:
    page.wait_for_function(
        """(n) => { const bots = document.querySelectorAll('[data-testid="bot"]');
            return bots.length >= n && /confidence|closest passages|does not answer|Exchanges/i
                .test(bots[bots.length - 1].innerText); }""",
        arg=count, timeout=60_000,
    )


def _ask(page: Any, question: str, before: int) -> str:
    page.fill("#tqa-question textarea", question)
    page.keyboard.press("Enter")
    _wait_answers(page, before + 1)
    return str(page.locator(BOT).last.inner_text())


def test_upload_a_transcript_then_ask_about_it(tmp_path: Path) -> None:
    bot = qa.load(SEED, index_dir=tmp_path / "index", embedder=HashingEmbedder())
    good, bad = tmp_path / "harbour.txt", tmp_path / "slides.pdfx"
    empty = tmp_path / "notes.txt"  # of an accepted type, so the browser passes it to us
    good.write_text(NEW, encoding="utf-8")
    bad.write_bytes(b"%PDF-1.4 not a transcript")
    empty.write_text("", encoding="utf-8")
    with running(bot) as url, browser_page() as page:
        page.goto(url)
        first = _ask(page, "Which embassies will open in Africa?", 0)
        # a file of a type the readers do not take is refused by the browser's own type
        # filter (Gradio's file_types, from the readers' table) before it is sent
        page.locator("#tqa-upload-row input[type=file]").first.set_input_files(str(bad))
        page.wait_for_function(
            "() => /Invalid file type/i.test(document.body.innerText)", timeout=30_000)
        # one of an accepted type that cannot be indexed gets our message; nothing is lost
        page.locator("#tqa-upload-row input[type=file]").first.set_input_files(str(empty))
        page.wait_for_function(
            "() => /Not added:.*notes\\.txt.*empty/s"
            ".test(document.querySelector('#tqa-upload-status').innerText)", timeout=60_000)
        assert page.locator(BOT).count() == 1 and page.locator(BOT).last.inner_text() == first
        # a transcript dropped in (the drop zone's file input) is indexed and asked about
        page.locator("#tqa-drop input[type=file]").set_input_files(str(good))
        page.wait_for_function(
            "() => /Added “/.test(document.querySelector('#tqa-upload-status').innerText)",
            timeout=120_000)
        page.screenshot(path=str(_artifact("ui-upload.png")))
        reply = _ask(page, "When will the lighthouse at Pellow Point be finished?", 1)
        assert "March 2027" in reply and "Ines Varga" in reply
        assert page.locator(BOT).count() == 2  # the earlier answer is still there
        page.wait_for_function(ON_SCREEN, timeout=10_000)
        assert "March 2027" in page.evaluate(
            "() => Array.from(document.querySelectorAll('mark.tqa-active'))"
            ".map((m) => m.textContent).join('')")
    assert (tmp_path / "index-uploads" / "harbour.txt").read_text(encoding="utf-8") == NEW
    assert not (tmp_path / "index-uploads" / "notes.txt").exists()  # a refused file is not kept


@pytest.mark.parametrize("size", sorted(SIZES))
def test_cited_span_on_screen_and_no_label_over_text(size: str, fake_bot: qa.Bot) -> None:
    width, height = SIZES[size]
    with running(fake_bot) as url, browser_page() as page:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        assert page.evaluate(OVERLAPS) == []
        _ask(page, "Which embassies will open in Africa?", 0)
        page.wait_for_function(ON_SCREEN, timeout=10_000)
        page.screenshot(path=str(_artifact(f"ui-{size}-answer.png")))
        assert page.evaluate(OVERLAPS) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1
