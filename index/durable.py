"""Make written files durable before a rename publishes them.

A rename is atomic, but without ``fsync`` a crash right after it can leave the new
name pointing at files whose data never reached the disk (empty or truncated).
Sync the temporary folder's files and the folder itself, rename, then sync the
parent so the rename itself survives.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     tmp = Path(parent, "tmp")
    ...     tmp.mkdir()
    ...     _ = (tmp / "model.onnx").write_bytes(b"weights")
    ...     sync_tree(tmp)
    ...     _ = tmp.rename(Path(parent, "final"))
    ...     sync_dir(Path(parent))
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["sync_dir", "sync_file", "sync_tree"]

# filesystems that cannot sync a directory say so with these; the files are synced anyway
_NO_DIR_SYNC = (errno.EINVAL, errno.ENOTSUP, errno.EBADF)


def sync_file(path: Path) -> None:
    """Flush ``path``'s data and metadata to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_dir(path: Path) -> None:
    """Flush ``path``'s entries (names created, renamed or removed in it) to the disk."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:  # e.g. Windows, where a directory cannot be opened
        if exc.errno in (*_NO_DIR_SYNC, errno.EACCES, errno.EISDIR):
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIR_SYNC:
            raise
    finally:
        os.close(fd)


def sync_tree(folder: Path) -> None:
    """Sync every file under ``folder`` and every directory, ``folder`` last."""
    for root, _dirs, files in os.walk(folder, topdown=False):  # deepest first
        for name in files:
            sync_file(Path(root, name))
        sync_dir(Path(root))
