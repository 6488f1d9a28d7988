"""A sweep's journal: each finished block's results on disk, so a killed sweep resumes.

The journal is a folder (``sweep-blocks/`` inside the sweep's output folder)
holding ``plan.json`` — the key of the sweep that writes there — and one
``block-NNNNNNN.npz`` per finished block, each written atomically (a killed
run leaves no half-written block). A run into a folder whose journal has the
same key skips every block already there; a journal of another sweep is
refused unless the run is told to start over. The journal's lock is held while
the sweep runs, so two runs never write into one journal.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.core.errors import CapcalcError
from calc.data.io import write_bytes, write_text
from calc.data.output_folder import folder_lock

__all__ = ["JOURNAL_FOLDER", "Journal", "open_journal"]

#: The journal's folder inside a sweep's output folder.
JOURNAL_FOLDER = "sweep-blocks"
_PLAN_FILE = "plan.json"


def _block_name(index: int) -> str:
    return f"block-{index:07d}.npz"


@dataclass(frozen=True)
class Journal:
    """The blocks of one sweep (identified by ``key``) stored in ``folder``, each of
    ``block_size`` points."""

    folder: Path
    key: str
    block_size: int

    def done(self, blocks: int) -> set[int]:
        """The blocks of ``range(blocks)`` whose results are stored and readable."""
        return {i for i in range(blocks) if (self.folder / _block_name(i)).is_file()}

    def write(self, index: int, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """Store block ``index`` atomically."""
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **dict(arrays))
        write_bytes(self.folder / _block_name(index), buffer.getvalue())

    def read(self, index: int) -> dict[str, npt.NDArray[Any]] | None:
        """Block ``index``'s arrays, or None when the file is missing or unreadable."""
        path = self.folder / _block_name(index)
        try:
            with np.load(path, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            return None


def _stored(folder: Path) -> tuple[str | None, int | None]:
    """The key and block size ``plan.json`` records (None where it cannot be read)."""
    try:
        document = json.loads((folder / _PLAN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(document, dict):
        return None, None
    key, size = document.get("key"), document.get("block_size")
    return (key if isinstance(key, str) else None,
            size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None)


@contextlib.contextmanager
def open_journal(out: Path, key: str, block_size: int, description: Mapping[str, Any], *,
                 restart: bool = False) -> Iterator[Journal]:
    """The journal of sweep ``key`` in ``out``, locked while the block runs.

    A journal of another sweep in ``out`` is refused (one line naming the
    folder) unless ``restart``, which removes its blocks first. A journal of the
    same sweep keeps the block size it was started with (the journal's
    ``block_size``), which the caller then uses.
    """
    folder = out / JOURNAL_FOLDER
    if out.exists() and not out.is_dir():
        raise CapcalcError("is a file, not a folder; a sweep writes into a folder",
                           file=str(out))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CapcalcError(f"cannot write: {exc.strerror or exc}", file=str(out)) from None
    with folder_lock(folder):
        stored, stored_size = _stored(folder)
        blocks = list(folder.glob("block-*.npz"))
        if stored != key and (blocks or stored is not None):
            if not restart:
                raise CapcalcError(
                    f"holds the blocks of another sweep (its key {stored or 'unreadable'}, "
                    f"this one's {key}); pass --force to start over, or choose another --out",
                    file=str(folder))
            for path in blocks:
                path.unlink()
        if stored != key or stored_size is None:
            write_text(folder / _PLAN_FILE, json.dumps(
                {"key": key, "block_size": block_size, **description}, indent=2,
                sort_keys=True) + "\n")
            stored_size = block_size
        yield Journal(folder, key, stored_size)

