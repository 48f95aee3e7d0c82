"""Content hashes of input files, reused while a file's metadata says it has not changed.

A build reads every digest file to know whether anything changed; at 10,000 papers that is a
noticeable part of a one-digest rebuild. Like git's index, a file whose size, modification and
change times, inode and device are as they were when it was hashed keeps its hash. The change time
cannot be set by hand, so even a file rewritten with its old modification time is read again. A
file modified within RACY_NS of being hashed could change again within the same clock tick, so its
hash is not kept.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

RACY_NS = 2_000_000_000

Signature = tuple[int, int, int, int, int]


def _signature(status: os.stat_result) -> Signature:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class FileHashes:
    """Path → (signature, digest), loaded from and saved to the build cache by its owner."""

    def __init__(self, known: dict[str, tuple[Signature, bytes]] | None = None) -> None:
        self.known = known or {}
        self.seen: dict[str, tuple[Signature, bytes]] = {}

    def digest(self, path: Path, status: os.stat_result | None = None) -> bytes:
        """The hash of a regular file's bytes (it follows links); raises OSError if it cannot be read."""
        status = status or os.stat(path)
        return self.trusted(path, status) or self.remember(path, path.read_bytes(), status)

    def trusted(self, path: Path, status: os.stat_result) -> bytes | None:
        """The known hash of `path` if its metadata is as it was when hashed; None if it must be read."""
        key = str(path)
        entry = self.known.get(key)
        if entry is None or entry[0] != _signature(status):
            return None
        self.seen[key] = entry
        return entry[1]

    def remember(self, path: Path, data: bytes, status: os.stat_result) -> bytes:
        """The hash of `data`, just read from `path` (stat-ed as `status` before reading)."""
        digest = content_digest(data)
        if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > RACY_NS:
            self.seen[str(path)] = (_signature(status), digest)
        return digest

    def start_over(self) -> None:
        """Trust just what the last pass saw: for an owner that hashes the same tree again and again."""
        self.known, self.seen = self.seen, {}

    @property
    def changed(self) -> bool:
        return self.seen != self.known


def hash_tree(digest: hashlib._Hash, folder: Path, hashes: FileHashes | None = None) -> None:
    """Feed every entry under `folder` (names, and the bytes or hashes of files) into `digest`."""
    if not folder.is_dir():
        digest.update(b"-")
        return
    _hash_entries(digest, str(folder), "", hashes or FileHashes())


def _hash_entries(digest: hashlib._Hash, root: str, prefix: str, hashes: FileHashes) -> None:
    try:
        names = sorted(os.listdir(os.path.join(root, prefix)))
    except OSError as exc:
        digest.update(f"unlistable {exc.errno}\0".encode())
        return
    for name in names:
        relative = f"{prefix}{name}"
        # Every entry counts, readable or not: a new fifo or broken link changes the build's warnings.
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        path = os.path.join(root, relative)
        try:
            status = os.lstat(path)
            if stat.S_ISLNK(status.st_mode):
                target = os.stat(path)  # a link to a file counts as the file, any other by its mode
                status = target if stat.S_ISREG(target.st_mode) else status
            mode = status.st_mode
            if stat.S_ISREG(mode):
                digest.update(hashes.digest(Path(path), status))
            elif stat.S_ISDIR(mode):
                digest.update(b"dir\0")
                _hash_entries(digest, root, relative + "/", hashes)
            else:
                digest.update(str(stat.S_IFMT(mode)).encode())
        except OSError as exc:
            digest.update(f"unreadable {exc.errno}".encode())
        digest.update(b"\0")
