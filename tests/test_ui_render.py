"""The chat's rendering and behaviour without a server: escaping, quotes and speakers,
transcript marks, streaming replies, follow-ups, abstentions and failures."""

from __future__ import annotations

import copy
import doctest
import html
import importlib
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qa
from index.documents import Document
from ui.chat import ALL_DOCS, FRIENDLY_ERROR, ChatService, message_text, user_message
from ui.render import describe_turn, escape_text, format_answer, opening_words, unescape_text
from ui.transcript import Mark, marks_in, render_documents, render_passages

TAG = re.compile(r"<[^>]+>")


def _visible_text(fragment: str) -> str:
    """What a browser shows for our HTML: tags dropped, entities decoded."""
    return html.unescape(TAG.sub("", fragment))


@pytest.mark.parametrize("name", ["ui.render", "ui.transcript", "ui.chat", "ui.app", "ui.cli"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@given(st.text())
def test_escape_round_trips_and_leaves_no_markup(text: str) -> None:
    escaped = escape_text(text)
    assert unescape_text(escaped) == text
    assert "<" not in escaped and ">" not in escaped
    assert re.search(r"(?<!\\)[*_`\[\]]", escaped) is None


def test_describe_turn_names_speaker_role_and_question(seed_doc: Document) -> None:
    arctic = next(t for t in seed_doc.turns if t.role == "answer" and t.exchange_id == 7)
    text = describe_turn(seed_doc, arctic.index, arctic.speaker)
    assert text.startswith("Sergey Lavrov, answering a deputy’s question “Russia is the leading")
    assert describe_turn(seed_doc, 0, "Sergey Lavrov") == "Sergey Lavrov, in the opening address"
    assert describe_turn(seed_doc, 1, "Deputy") == "Deputy, asking a question (exchange 1)"
    assert describe_turn(seed_doc, 999, "Someone") == "Someone"
    assert opening_words("one two", words=5) == "one two"


def test_transcript_renders_every_character_once_with_exact_marks(
    fake_bot: qa.Bot, seed_doc: Document
) -> None:
    answer = fake_bot.ask("Which embassies will open in Africa?")
    reply = format_answer(answer, fake_bot.documents)
    marks = marks_in([reply], fake_bot.documents)
    assert [(m.start, m.end) for m in marks] == [(c.start, c.end) for c in answer.citations]
    page = render_documents(fake_bot.documents, [0], marks)
    body = re.sub(r'<(h3|div class="tqa-meta")[^>]*>.*?</(h3|div)>', "", page)
    assert _visible_text(body) == seed_doc.text
    for m in marks:
        pieces = re.findall(rf'<mark class="tqa-cite" data-cites="[^"]*\b{m.anchor}\b[^"]*">(.*?)'
                            r"</mark>", page, flags=re.S)
        assert html.unescape("".join(pieces)) == seed_doc.text[m.start : m.end]
        assert f'id="{m.anchor}"' in page


def test_overlapping_marks_each_cover_their_own_characters() -> None:
    doc = Document(doc_id="d", text="abcdefghij", path="d", sha256="", title="T")
    marks = [Mark(0, 2, 6, "tqa-c0-2-6"), Mark(0, 4, 9, "tqa-c0-4-9")]
    page = render_documents([doc], [0], marks)
    for m in marks:
        pieces = re.findall(rf'data-cites="[^"]*\b{m.anchor}\b[^"]*">(.*?)</mark>', page)
        assert "".join(pieces) == doc.text[m.start : m.end]


def test_marks_ignore_forged_or_out_of_range_links(seed_doc: Document) -> None:
    replies = ["[x](#tqa-c0-5-2) [y](#tqa-c9-1-2) [z](#tqa-c0-1-99999999) [ok](#tqa-c0-1-3)"]
    assert marks_in(replies, [seed_doc]) == [Mark(0, 1, 3, "tqa-c0-1-3")]


def test_hostile_transcript_is_inert_in_every_panel(tmp_path: Path) -> None:
    from index.embed import HashingEmbedder

    text = 'Speaker A: <script>alert(1)</script> <img src=x onerror="alert(2)"> ${x} {{y}} `z`\n'
    (tmp_path / "evil.txt").write_text(text, encoding="utf-8")
    bot = qa.load(tmp_path, index_dir=tmp_path / "idx", embedder=HashingEmbedder())
    page = render_documents(bot.documents, [0], [Mark(0, 12, 40, "tqa-c0-12-40")])
    passages = render_passages(bot.retrieve("alert", k=1), bot.documents)
    for fragment in (page, passages):
        assert "<script" not in fragment and "<img" not in fragment
        assert "${" not in fragment and "{{" not in fragment and "`" not in fragment
    assert "<script>alert(1)</script>" in _visible_text(page)  # shown, as text


def test_respond_streams_then_fills_panels(fake_bot: qa.Bot) -> None:
    service = ChatService(fake_bot, stream_delay=0)
    steps = list(service.respond([user_message("Which embassies will open in Africa?")], ALL_DOCS))
    assert steps[0][0][-1]["metadata"]["status"] == "pending"
    assert len(steps) >= 3  # pending, at least one partial, the full reply
    final, panel, passages = steps[-1]
    reply = message_text(final[-1])
    assert reply.startswith("> “We") and "We have opened three new embassies" in reply
    assert all(message_text(s[0][-1]).startswith(("> “We", "Looking")) for s in steps)
    assert "Sergey Lavrov, in the opening address" in reply
    cited = fake_bot.ask("Which embassies will open in Africa?").citations[0]
    assert f"](#tqa-c0-{cited.start}-{cited.end})" in reply
    assert f'data-cites="tqa-c0-{cited.start}-{cited.end}"' in panel
    assert "score" in passages and "dense" in passages


def test_abstention_says_so_and_offers_nearest_passages(fake_bot: qa.Bot) -> None:
    answer = fake_bot.ask("What is the recipe for borscht with beetroot?")
    assert answer.abstained
    reply = format_answer(answer, fake_bot.documents)
    assert reply.startswith("**The transcript does not answer this question.**")
    assert "closest passages" in reply and reply.count("show in transcript") >= 1


def test_follow_up_passes_earlier_questions_as_history(fake_bot: qa.Bot) -> None:
    seen: list[Any] = []
    bot = copy.copy(fake_bot)

    def ask(question: str, **options: Any) -> qa.Answer:
        seen.append((question, options))
        return fake_bot.ask(question, **options)

    bot.ask = ask  # type: ignore[method-assign]
    history = [
        user_message("What did Lavrov say about the <Arctic>?"),
        {"role": "assistant", "content": "…"},
        user_message("And what about China?"),
    ]
    list(ChatService(bot, stream_delay=0).respond(history, "000_8a7bd6b9c703a622"))
    assert seen == [
        (
            "And what about China?",
            {"history": ["What did Lavrov say about the <Arctic>?"],
             "doc_ids": ["000_8a7bd6b9c703a622"]},
        )
    ]


def test_failure_gives_friendly_message_and_logs(
    fake_bot: qa.Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = copy.copy(fake_bot)

    def explode(question: str, **_: Any) -> qa.Answer:
        raise RuntimeError("secret detail in /srv/private/file.py")

    bot.ask = explode  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="ui"):
        steps = list(ChatService(bot, stream_delay=0).respond([user_message("Hi?")], None))
    reply = message_text(steps[-1][0][-1])
    assert reply == FRIENDLY_ERROR and "secret" not in reply and "/srv" not in reply
    assert "secret detail" in caplog.text  # the server log keeps the details


def test_bad_question_gets_the_reason(fake_bot: qa.Bot) -> None:
    steps = list(ChatService(fake_bot, stream_delay=0).respond([user_message("   ")], None))
    assert "question is empty" in message_text(steps[-1][0][-1]).lower()


def test_dropdown_only_when_several_transcripts(fake_bot: qa.Bot, tmp_path: Path) -> None:
    import gradio as gr

    from index.embed import HashingEmbedder
    from ui import build_app

    def dropdown(bot: qa.Bot) -> gr.Dropdown:
        app = build_app(bot)
        return next(b for b in app.blocks.values() if isinstance(b, gr.Dropdown))

    assert dropdown(fake_bot).visible is False
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"Speaker {name.upper()}: Words of {name}.\n")
    two = qa.load(tmp_path, index_dir=tmp_path / "idx", embedder=HashingEmbedder())
    menu = dropdown(two)
    assert menu.visible is True and menu.value == ALL_DOCS
    assert [value for _, value in menu.choices] == [ALL_DOCS, "a", "b"]
    assert ChatService(two).doc_ids("b") == ["b"] and ChatService(two).doc_ids(ALL_DOCS) is None


def test_nothing_to_answer_changes_nothing(fake_bot: qa.Bot) -> None:
    history = [{"role": "assistant", "content": "hello"}]
    steps = list(ChatService(fake_bot).respond(history, None))
    assert len(steps) == 1 and steps[0][0] == history


def test_short_answer_leads_the_reply_then_the_quotes(fake_bot: qa.Bot) -> None:
    answer = fake_bot.ask("How many new embassies has Russia already opened in Africa?")
    if answer.abstained or answer.short is None:  # the fake embedder may pick another sentence
        answer = fake_bot.ask("How many polling stations were opened abroad?")
    assert not answer.abstained and answer.short is not None, answer.text
    reply = format_answer(answer, fake_bot.documents)
    assert reply.startswith(f"**{escape_text(answer.short.quote)}**")
    assert escape_text(answer.citations[0].quote.split()[0]) in reply


def test_one_transcript_is_not_named_on_every_quote(fake_bot: qa.Bot) -> None:
    assert len(fake_bot.documents) == 1
    answer = fake_bot.ask("Which embassies will open in Africa?")
    reply = unescape_text(format_answer(answer, fake_bot.documents))
    assert not answer.abstained and "Sergey Lavrov" in reply
    assert "mid.ru" not in reply  # the document's label, said on every quote, would be noise


def test_examples_are_the_corpus_askers_whole_questions() -> None:
    from index.parse import parse_document
    from ui.app import default_examples

    text = ("Opening remarks.\nQuestion: Our port grew. How will the new harbour be funded? "
            "And the Northern Rail line?\nAnn Lee: By bonds.\n")
    doc = parse_document(doc_id="d", text=text, path="", sha256="")
    assert default_examples([doc]) == ["How will the new harbour be funded?",
                                       "And the Northern Rail line?"]
    bare = parse_document(doc_id="e", text="Ann Lee: Hello there.\n", path="", sha256="")
    assert default_examples([bare]) == ["What is this transcript about?", "Who speaks in it?"]


def test_an_unnamed_asker_is_a_role_and_a_named_one_a_name() -> None:
    from index.parse import parse_document
    from ui.render import _whose

    text = ("I am glad to address the Harbour Board members.\nQuestion: Why the delay?\n"
            "Ann Lee: Funding.\n")
    doc = parse_document(doc_id="d", text=text, path="", sha256="")
    answer = next(t for t in doc.turns if t.role == "answer")
    assert describe_turn(doc, answer.index, "Ann Lee") == (
        "Ann Lee, answering a member’s question “Why the delay?”")
    assert _whose("Tom Ray", "Tom Ray: ") == "Tom Ray’s"  # named in the file: a name
    assert _whose("Member", "Question: ") == "a member’s"  # read from the setting: a role
