"""The one exception family; the CLI turns each into its exit code in one place."""

from __future__ import annotations

from collections.abc import Sequence

from digestsite.content.model import Diagnostic, Severity
from digestsite.messages import counted

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_FILESYSTEM = 3  # the file system refused a read or write (permissions, a full disk), not the user's input
EXIT_NETWORK = 4  # fetch-metadata: the arXiv API could not be reached, or answered with an error


class DigestsiteError(Exception):
    """A failure the user can act on: printed without a traceback."""

    exit_code = EXIT_USAGE


class ConfigError(DigestsiteError):
    """site.yaml is unreadable or invalid; carries every problem found, not just the first."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class OutputError(DigestsiteError):
    """The output directory cannot be safely written or replaced."""


class ContentError(DigestsiteError):
    """The digest files have errors (or warnings under --strict); the build is refused."""

    exit_code = EXIT_CONTENT

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        problems = counted(errors, "error") if errors else counted(len(self.diagnostics), "warning") + " under --strict"
        super().__init__(f"{problems} in the digest files")
