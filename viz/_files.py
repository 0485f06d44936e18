"""Writing files whole or not at all: a temporary file beside the target, then one rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Union

__all__ = ["write_atomic"]


def write_atomic(path: Union[str, os.PathLike], data: Union[bytes, str]) -> Path:
    """Write ``data`` to ``path`` so that it is either the whole new content or untouched.

    The bytes go to a temporary file in the target's folder (missing folders are created),
    are flushed to disk, and the temporary file is renamed over ``path`` in one step
    (``os.replace``). If anything fails on the way — the text cannot be encoded, the disk is
    full, the folder is read-only — the temporary file is removed, an existing ``path`` keeps
    its old content, and the error is raised.

    Args:
        path: the file to write.
        data: bytes, or text (written as UTF-8; encoded before anything touches the disk).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        UnicodeEncodeError: text that is not valid Unicode (a lone surrogate); nothing is written.
        OSError: the folder cannot be created or written.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a" / "b.txt"
    >>> write_atomic(target, "hello").read_text()
    'hello'
    >>> write_atomic(target, "\\ud800")
    Traceback (most recent call last):
    ...
    UnicodeEncodeError: ...
    >>> target.read_text()
    'hello'
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if target.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder, not a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def _umask() -> int:
    """The process's umask (read by setting it and putting it back): new files get 0o666 & ~umask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
