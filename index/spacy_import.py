"""spaCy, imported without torch.

spaCy's thinc layer imports torch whenever it is installed: seconds and hundreds of MB
for a process that embeds with ONNX Runtime, yet the small English pipeline runs on numpy.
A process already using torch is left as it is.
"""

from __future__ import annotations

import sys
from types import ModuleType

__all__ = ["import_spacy"]


def import_spacy() -> ModuleType:
    """The ``spacy`` module; torch stays unimported unless something else imported it."""
    hidden = "torch" not in sys.modules
    if hidden:
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` then fails
    try:
        import spacy
    finally:
        if hidden and "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy
