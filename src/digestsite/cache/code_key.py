"""The key of digestsite's own code, part of every cache key.

A cache made by other code is never trusted: a changed parser, template helper or key function could
otherwise leave parses, pages or a whole site standing that the new code would build differently.
Hashing the package's Python sources (a few hundred kilobytes) takes a few milliseconds per build.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def code_digest(package: Path = PACKAGE) -> str:
    """One hash over the names and bytes of every `.py` file of `package` (compiled files excluded)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


@functools.cache
def installed_code_digest() -> str:
    return code_digest()
