"""Who said a quote, from the transcript's turn structure (never a guess).

A turn's speaker comes from its label; a transcript without labels (a speech)
has its speaker from the document's metadata when it gives one, and is
otherwise named by its title. "unknown" is never shown as a speaker.

    >>> from index.parse import parse_document
    >>> doc = parse_document(doc_id="d", text="Question: Why?\\nAnn Lee: Because.", path="",
    ...                      sha256="")
    >>> speaker_name(doc, doc.turns[1]), matches_speaker("Lee", doc, doc.turns[1])
    ('Ann Lee', True)
"""

from __future__ import annotations

from index.documents import Document, Turn
from index.terms import terms
from qa.types import Citation

__all__ = ["attribution", "document_speaker", "matches_speaker", "speaker_name"]

_NO_SPEAKER = frozenset({"", "unknown"})


def document_speaker(doc: Document) -> str:
    """The speaker the document's metadata names, if any ("speaker: …")."""
    meta = getattr(doc, "metadata", ()) or ()
    pairs = meta.items() if isinstance(meta, dict) else meta
    return next((str(v) for k, v in pairs if k == "speaker" and v), "")


def speaker_name(doc: Document, turn: Turn | None) -> str:
    """Who spoke ``turn``: its label, else the document's speaker, else ""."""
    name = turn.speaker if turn is not None else ""
    return name if name not in _NO_SPEAKER else document_speaker(doc)


def matches_speaker(subject: str, doc: Document, turn: Turn | None) -> bool:
    """Whether ``subject`` ("the CFO", "Kennedy") names the speaker of ``turn``: a word of
    the speaker's name or of the role the document's speaker list gives them."""
    name = speaker_name(doc, turn)
    wanted = terms(subject)
    return bool(wanted) and bool(wanted & terms(f"{name} {_role(doc, name)}"))


def _role(doc: Document, name: str) -> str:
    """The role beside ``name`` in a "speakers: Ann Lee (Chief Financial Officer); …" list,
    with the initials of its words ("CFO")."""
    meta = getattr(doc, "metadata", ()) or ()
    pairs = meta.items() if isinstance(meta, dict) else meta
    listed = next((str(v) for k, v in pairs if k == "speakers"), "")
    for entry in listed.split(";"):
        person, _, role = entry.partition("(")
        if name and person.strip() == name:
            role = role.rstrip(") ")
            initials = "".join(w[0] for w in role.split() if w[0].isupper())
            return f"{role} {initials}"
    return ""


def attribution(c: Citation, doc: Document) -> str:
    """Who said a quote and where: "Ann Lee said this (answer in exchange 3)"."""
    name = speaker_name(doc, doc.turn_at(c.start))
    if not name:
        return f"This is said in “{doc.title}”"
    if c.role == "question" or c.quote.rstrip().endswith("?"):
        where = f" (question of exchange {c.exchange_id})" if c.exchange_id else ""
        return f"{name} asked this{where}"
    if c.role == "answer":
        return f"{name} said this (answer in exchange {c.exchange_id})"
    if c.role == "speech":
        return f"{name} said this (opening speech)"
    return f"{name} said this"
