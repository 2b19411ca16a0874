"""The one error hierarchy of transcript-qa.

It lives in the lowest layer (``index``) so every layer can raise it while
imports still point one way; ``qa`` re-exports it. Messages say what to do.

    >>> from index.errors import QAError, InvalidInputError
    >>> issubclass(InvalidInputError, ValueError)
    True
"""

from __future__ import annotations

__all__ = [
    "CorruptIndexError",
    "IndexLockedError",
    "InvalidInputError",
    "ModelError",
    "QAError",
    "SourceError",
    "StaleIndexError",
    "StoreUnavailableError",
]


class QAError(Exception):
    """Base class of every error this project raises on purpose."""


class InvalidInputError(QAError, ValueError):
    """A question, option or argument that cannot be used as given."""


class SourceError(QAError):
    """A transcript file or folder that cannot be read or holds nothing to index."""


class StaleIndexError(QAError):
    """The index on disk was built from other sources or settings than asked for."""


class CorruptIndexError(QAError):
    """Files of the index are missing, truncated or do not match each other."""


class IndexLockedError(QAError):
    """Another process is building the same index folder right now."""


class ModelError(QAError):
    """The embedding model (or its ONNX export) is missing, broken or cannot be loaded."""


class StoreUnavailableError(QAError):
    """The index's store (a Milvus server or file) cannot be reached or used right now."""
