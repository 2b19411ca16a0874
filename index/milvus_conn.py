"""Where the Milvus store lives and how to reach it: embedded Milvus Lite or a server.

A URI that names a local file (``./qa.db``, ``/data/qa-milvus.db``) runs Milvus
Lite inside this process, from the ``milvus-lite`` package; ``http://host:19530``
(or ``https://``, ``tcp://``, ``grpc://``) reaches a Milvus standalone or cluster.
Settings come from arguments, else ``QA_MILVUS_URI`` and ``QA_MILVUS_TOKEN``.

    >>> MilvusConfig.resolve("http://milvus:19530").local
    False
    >>> MilvusConfig.resolve("idx/qa.db").local
    True
    >>> collection_name("seeds-1b6b649f04", 384)
    'qa_seeds_1b6b649f04_d384'
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import IndexLockedError, InvalidInputError, StoreUnavailableError

# pymilvus warns on every query iterator that Milvus Lite keeps no MVCC timestamp; the
# generation filter, not that timestamp, is what keeps a reader's rows consistent
logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(
    lambda record: "mvccTs" not in record.getMessage()
)
# and embedded Milvus Lite's gRPC server logs a traceback for that unimplemented call
logging.getLogger("grpc._server").addFilter(
    lambda record: "not implemented" not in str(record.exc_info and record.exc_info[1]).lower()
)

__all__ = [
    "CONNECT_TIMEOUT", "DEFAULT_LITE_FILE", "LITE_CONNECT_TIMEOUT", "MilvusConfig",
    "collection_name", "connect", "from_milvus", "unavailable",
]

CONNECT_TIMEOUT = 5.0  # seconds: an unreachable server is reported within this
# embedded Lite runs in this process, so a slow first answer means busy cores, not an
# unreachable engine: on a loaded machine its gRPC thread took more than 5 s to be ready
LITE_CONNECT_TIMEOUT = 60.0
DEFAULT_LITE_FILE = "milvus.db"  # beside the index folder when no URI is given
_REMOTE = ("http://", "https://", "tcp://", "grpc://", "unix://")
_NAME_CHARS = re.compile(r"[^0-9A-Za-z_]+")


@dataclass(frozen=True)
class MilvusConfig:
    """A Milvus URI, its token (never printed) and the collection name to use (or derive)."""

    uri: str
    token: str = ""
    collection: str = ""

    @property
    def local(self) -> bool:
        """True for an embedded Milvus Lite file, False for a server."""
        return not self.uri.startswith(_REMOTE)

    @classmethod
    def resolve(
        cls, uri: str | None = None, token: str | None = None, *,
        default_file: Path | None = None, collection: str | None = None,
        env: dict[str, str] | None = None,
    ) -> MilvusConfig:
        """The config from the arguments, else the environment, else a Lite file at
        ``default_file``."""
        env = dict(os.environ if env is None else env)
        uri = uri or env.get("QA_MILVUS_URI") or (str(default_file) if default_file else "")
        if not uri:
            raise InvalidInputError(
                "no Milvus URI: pass --milvus-uri (a local file such as ./qa.db for embedded "
                "Milvus Lite, or http://host:19530) or set QA_MILVUS_URI"
            )
        if not uri.startswith(_REMOTE) and not uri.endswith(".db"):
            raise InvalidInputError(
                f"Milvus URI {uri!r}: a Milvus Lite file name ends in .db (e.g. ./qa.db); a "
                "server's URI starts with http:// or https://"
            )
        name = collection or env.get("QA_MILVUS_COLLECTION", "")
        if name and not re.fullmatch(r"[A-Za-z_][0-9A-Za-z_]{0,199}", name):
            raise InvalidInputError(
                f"Milvus collection name {name!r}: use letters, digits and _ (not first a digit)"
            )
        return cls(uri, token if token is not None else env.get("QA_MILVUS_TOKEN", ""), name)


def collection_name(index_name: str, dims: int) -> str:
    """A valid Milvus collection name for the index folder ``index_name``.

    The vector width is part of it: a collection's vector field has one fixed width.
    """
    base = _NAME_CHARS.sub("_", index_name).strip("_") or "index"
    return f"qa_{base}_d{dims}"[:200]


def from_milvus(exc: BaseException) -> bool:
    """Whether ``exc`` came from the Milvus client or engine (not from our own code)."""
    return type(exc).__module__.split(".")[0] in ("pymilvus", "grpc", "milvus_lite")


def unavailable(config: MilvusConfig, exc: BaseException) -> StoreUnavailableError:
    """The error for a Milvus that failed at ``config.uri``: it names the URI, never the token."""
    reason = str(getattr(exc, "message", "") or exc).replace(config.token or "\0", "***")
    return StoreUnavailableError(
        f"Milvus at {config.uri} is not usable ({reason[:300]}); check that it is running and "
        "reachable, or point --milvus-uri / QA_MILVUS_URI at another"
    )


def connect(config: MilvusConfig, *, timeout: float | None = None) -> Any:
    """A ``pymilvus.MilvusClient`` for ``config``; a clear error within ``timeout`` seconds
    (default :data:`CONNECT_TIMEOUT` for a server, :data:`LITE_CONNECT_TIMEOUT` for Lite).

    A Lite file held by another process (Milvus Lite allows one per file) raises
    :class:`IndexLockedError`; a server that does not answer, :class:`StoreUnavailableError`.
    """
    from pymilvus import MilvusClient

    if config.local:
        Path(config.uri).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    if timeout is None:
        timeout = LITE_CONNECT_TIMEOUT if config.local else CONNECT_TIMEOUT
    started = time.monotonic()
    try:
        return MilvusClient(uri=config.uri, token=config.token, timeout=timeout)
    except Exception as exc:  # pymilvus raises MilvusException, grpc its own kinds
        if config.local:
            raise IndexLockedError(
                f"cannot open the Milvus Lite file {config.uri} ({exc}): is it open in another "
                "process? Milvus Lite allows one; stop that one, or serve the file with "
                "`milvus-lite server --data-dir FILE` and use its http:// URI"
            ) from exc
        waited = time.monotonic() - started
        raise unavailable(config, RuntimeError(f"{exc} after {waited:.1f} s")) from exc
