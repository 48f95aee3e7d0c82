"""`digestsite check`: every problem in the digest files, located, without building anything."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from digestsite.config import Config
from digestsite.content.explain import explain
from digestsite.content.model import Severity, failing_diagnostics
from digestsite.content.parse import parse_digest
from digestsite.errors import EXIT_CONTENT, EXIT_OK
from digestsite.messages import counted
from digestsite.site.assemble import load_site


def check(config: Config, *, strict: bool = False, output_format: str = "text") -> int:
    """Print the diagnostics (text on stderr, or a JSON report on stdout); the exit code says if any fail."""
    site = load_site(config)
    failing = failing_diagnostics(site.diagnostics, strict)
    if output_format == "json":
        report = {
            "ok": not failing,
            "papers": len(site.papers),
            "batches": len(site.batches),
            "diagnostics": [d.as_dict() for d in site.diagnostics],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for diagnostic in site.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        errors = sum(1 for d in site.diagnostics if d.severity is Severity.ERROR)
        warnings = len(site.diagnostics) - errors
        found = f"{counted(len(site.papers), 'paper')} in {counted(len(site.batches), 'batch')}"
        print(f"{found}: {counted(errors, 'error')}, {counted(warnings, 'warning')}", file=sys.stderr)
    return EXIT_CONTENT if failing else EXIT_OK


def explain_file(path: Path) -> int:
    """`check --explain FILE`: what the parser recognised in one digest, section by section, on stdout."""
    data = path.read_bytes()  # an unreadable file is an OSError, reported with its path by the CLI
    label = str(path)  # as the user named it
    print(explain(data, label), end="")
    failing = failing_diagnostics(parse_digest(data, label).diagnostics, strict=False)
    return EXIT_CONTENT if failing else EXIT_OK
