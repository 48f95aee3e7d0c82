"""`digestsite deploy`: commit a built site as the whole tree of a branch and push it.

Everything goes through git plumbing with a private index, so the working tree, the index and the
current branch are never touched (as `mkdocs gh-deploy` intends, without checking anything out).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digestsite.errors import DigestsiteError


class DeployError(DigestsiteError):
    """Not a git repository, no such remote, or git refused: nothing was pushed."""


@dataclass(frozen=True)
class DeployResult:
    commit: str
    changed: bool


def _git(repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DeployError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")
    return result.stdout.strip()


def repository_root(folder: Path) -> Path:
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True, text=True
        )
    except FileNotFoundError:
        raise DeployError("git is not installed") from None
    if result.returncode != 0:
        raise DeployError(f"{folder} is not inside a git repository; `digestsite deploy` pushes to a git remote")
    return Path(result.stdout.strip())


def deploy_folder(site_dir: Path, repo: Path, remote: str, branch: str, message: str) -> DeployResult:
    """Make `site_dir` the tree of `remote`/`branch` (one new commit on top of it) and push."""
    if remote not in _git(repo, "remote").split():
        raise DeployError(f"no git remote named '{remote}' (add one with `git remote add {remote} URL`)")
    current = _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if current == branch:
        raise DeployError(f"'{branch}' is the branch checked out here; deploy to another branch")
    parent = _remote_head(repo, remote, branch)
    tree = _tree_of(site_dir, repo)
    if parent and _git(repo, "rev-parse", f"{parent}^{{tree}}") == tree:
        _git(repo, "update-ref", f"refs/heads/{branch}", parent)
        return DeployResult(parent, changed=False)
    args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
    commit = _git(repo, *args, env=_identity(repo))
    _git(repo, "update-ref", f"refs/heads/{branch}", commit)
    _git(repo, "push", remote, f"{commit}:refs/heads/{branch}")
    return DeployResult(commit, changed=True)


def _identity(repo: Path) -> dict[str, str]:
    """A committer identity for repositories (such as CI checkouts) that have none configured."""
    env = {}
    if not _git(repo, "config", "user.name", check=False):
        env.update(GIT_AUTHOR_NAME="digestsite", GIT_COMMITTER_NAME="digestsite")
    if not _git(repo, "config", "user.email", check=False):
        env.update(GIT_AUTHOR_EMAIL="digestsite@localhost", GIT_COMMITTER_EMAIL="digestsite@localhost")
    return env


def _remote_head(repo: Path, remote: str, branch: str) -> str:
    """The commit the remote branch points at after fetching it, or '' when it does not exist yet."""
    listing = _git(repo, "ls-remote", "--heads", remote, f"refs/heads/{branch}")
    if not listing:
        return ""
    _git(repo, "fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    return listing.split()[0]


def _tree_of(site_dir: Path, repo: Path) -> str:
    """Write `site_dir` as a tree object using a throwaway index; the repository's index is untouched."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), "GIT_WORK_TREE": str(site_dir)}
        git_dir = _git(repo, "rev-parse", "--absolute-git-dir")
        env["GIT_DIR"] = git_dir
        _git(site_dir, "add", "--all", "--force", ".", env=env)
        return _git(site_dir, "write-tree", env=env)
