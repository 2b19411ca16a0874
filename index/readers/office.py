"""Word (.docx, read by ``python-docx``) and PDF (.pdf, read by ``pypdf``) files as text.

Their text is then read like a text file: timestamped lines by index.readers.stamped,
anything else as a plain "Name: text" transcript.
"""

from __future__ import annotations

import io
import re

from index.errors import SourceError

__all__ = ["docx_text", "pdf_text"]

_TRAILING = re.compile(r"[ \t]+\n")


def docx_text(data: bytes, name: str) -> str:
    """The paragraphs of a Word document, one a line (tables' cells too, row by row)."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile's, lxml's and its own errors
        raise SourceError(f"{name}: not a readable Word .docx file ({exc})") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines).strip() + "\n"


def pdf_text(data: bytes, name: str) -> str:
    """The text of every page of a PDF, page after page; a scanned page has none."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises PdfReadError and assorted parse errors
        raise SourceError(f"{name}: not a readable PDF ({exc})") from exc
    text = _TRAILING.sub("\n", "\n".join(p.strip("\n") for p in pages)).strip()
    if not text:
        raise SourceError(f"{name}: the PDF has no text layer (a scan?); give its text instead")
    return text + "\n"
