"""`digestsite new DIR`: a ready digest site with a sample batch and a GitHub Pages workflow.

The workflow installs digestsite from `requirements.txt`, pinned to what the user has now: the
released version when it came from a package index, the commit when pip installed it from git. A
local folder or wheel cannot be installed on a GitHub runner, so then `--install SPEC` is required.
"""

from __future__ import annotations

import json
import shutil
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from digestsite import __version__
from digestsite.errors import DigestsiteError, OutputError

TEMPLATE_DIR = Path(__file__).parents[1] / "scaffold"
# Dot-files are stored without their dot so that packaging tools keep them.
_RENAMES = {"github": ".github", "gitignore": ".gitignore"}
_REQUIREMENTS = """\
# The digestsite version this site is built with, installed by .github/workflows/pages.yml.
# Written by `digestsite new`; change it to upgrade.
{spec}
"""


def create_site(target: Path, install: str | None = None) -> list[Path]:
    """Copy the starter site into `target` (absent or empty); returns the files written."""
    spec = install or installed_spec()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{target} already exists and is not empty; `digestsite new` only fills a new folder")
    written = []
    for source in sorted(TEMPLATE_DIR.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        parts = list(source.relative_to(TEMPLATE_DIR).parts)
        parts[0] = _RENAMES.get(parts[0], parts[0])
        destination = target.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(destination)
    requirements = target / "requirements.txt"
    requirements.write_text(_REQUIREMENTS.format(spec=spec), "utf-8")
    return sorted([*written, requirements])


def installed_spec() -> str:
    """How a GitHub runner installs the digestsite that is running now (PEP 610's direct_url.json)."""
    try:
        recorded = distribution("digestsite").read_text("direct_url.json")
    except PackageNotFoundError:
        recorded = None
    if not recorded:  # installed from a package index
        return f"digestsite=={__version__}"
    origin = json.loads(recorded)
    vcs = origin.get("vcs_info")
    if vcs and vcs.get("commit_id"):
        return f"digestsite @ {vcs['vcs']}+{origin['url']}@{vcs['commit_id']}"
    raise DigestsiteError(
        f"digestsite was installed from {origin.get('url', 'a local file')}, which a GitHub runner cannot "
        f"install; say what the site's workflow should install with --install, for example "
        f"--install 'digestsite=={__version__}' (once that version is on PyPI) or "
        f"--install 'digestsite @ git+https://github.com/OWNER/REPO@COMMIT'"
    )
