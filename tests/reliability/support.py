"""Helpers shared by the reliability tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"
PROJECT_ROOT = TESTS.parent


def tree_hash(root: Path) -> str:
    """Hash of every path, file content, symlink target and mode under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_symlink():
            digest.update(b"->" + str(path.readlink()).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
        digest.update(oct(path.lstat().st_mode).encode())
    return digest.hexdigest()
