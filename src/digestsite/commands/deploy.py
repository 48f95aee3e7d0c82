"""`digestsite deploy`: commit a built site as the whole tree of a branch and push it.

Everything goes through git plumbing with a private index, so the working tree, the index and the
current branch are never touched (as `mkdocs gh-deploy` intends, without checking anything out).

Deploy writes one ref only, the named branch, and only when that branch is its own: every commit it
makes carries the `Digestsite-Deploy` trailer, and a branch whose tip lacks it is somebody's work,
refused unless `--force`. The local ref moves after the push succeeded, never while it is checked out.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digestsite.errors import DigestsiteError

TRAILER = "Digestsite-Deploy"
# Commits made before the trailer existed: the default message of earlier versions.
_LEGACY_MESSAGE = re.compile(r"\ADeploy \S+(?: tree)? with digestsite \S+\s*\Z")


class DeployError(DigestsiteError):
    """Not a git repository, no such remote, or git refused: nothing was pushed."""


@dataclass(frozen=True)
class DeployResult:
    commit: str
    changed: bool
    local_updated: bool = True
    replaced: str = ""  # the local branch's former tip, when the new commit does not descend from it


@dataclass(frozen=True)
class _Target:
    """The branch to deploy to as it stands before anything is written."""

    ref: str
    local: str  # the local branch's commit, or ''
    remote: str  # the remote branch's commit after fetching it, or ''
    worktree: str  # the worktree that has the branch checked out, or ''

    @property
    def checked_out(self) -> bool:
        return bool(self.worktree)


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


def check_branch_name(repo: Path, branch: str) -> None:
    """Refuse names git would not take as a branch, or would read as something else (HEAD, @, refs/...)."""
    result = subprocess.run(
        ["git", "-C", str(repo), "check-ref-format", "--branch", branch], capture_output=True, text=True
    )
    reserved = branch in ("HEAD", "@") or branch.startswith(("refs/", "-"))
    if result.returncode != 0 or reserved or result.stdout.strip() != branch:
        raise DeployError(f"{branch!r} is not a branch name deploy can write; choose a name such as gh-pages")


def deploy_folder(
    site_dir: Path, repo: Path, remote: str, branch: str, message: str, force: bool = False
) -> DeployResult:
    """Make `site_dir` the tree of `remote`/`branch` (one new commit on top of it), push, then move the local ref."""
    check_branch_name(repo, branch)
    if remote not in _git(repo, "remote").split():
        raise DeployError(f"no git remote named '{remote}' (add one with `git remote add {remote} URL`)")
    target = _inspect(repo, remote, branch)
    _refuse_foreign(repo, target, remote, branch, force)
    parent = target.remote or target.local
    tree = _tree_of(site_dir, repo)
    if parent and _git(repo, "rev-parse", f"{parent}^{{tree}}") == tree:
        if target.remote:
            return _finish(repo, target, parent, changed=False)
        _push(repo, remote, parent, target.ref)
        return _finish(repo, target, parent, changed=True)
    args = ["commit-tree", tree, "-m", _with_trailer(message)] + (["-p", parent] if parent else [])
    commit = _git(repo, *args, env=_identity(repo))
    _push(repo, remote, commit, target.ref)
    return _finish(repo, target, commit, changed=True)


def _inspect(repo: Path, remote: str, branch: str) -> _Target:
    ref = f"refs/heads/{branch}"
    local = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return _Target(ref, local, _remote_head(repo, remote, branch), checked_out_refs(repo).get(ref, ""))


def checked_out_refs(repo: Path) -> dict[str, str]:
    """Each branch ref checked out in a worktree of the repository (the main one included) → that worktree."""
    refs: dict[str, str] = {}
    worktree = ""
    for line in _git(repo, "worktree", "list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            worktree = line.split(" ", 1)[1]
        elif line.startswith("branch "):
            refs[line.split(" ", 1)[1]] = worktree
    return refs


def _refuse_foreign(repo: Path, target: _Target, remote: str, branch: str, force: bool) -> None:
    """Without --force, deploy only to branches whose tip it made (or that do not exist yet).

    A branch checked out in a worktree is somebody's work in progress unless deploy made it: never, even forced.
    """
    foreign_local = bool(target.local) and not is_deploy_commit(repo, target.local)
    if target.checked_out and foreign_local:
        raise DeployError(
            f"'{branch}' is checked out in {target.worktree}; nothing was pushed. Deploy to another --branch"
        )
    if force:
        return
    if foreign_local:
        raise DeployError(
            f"local branch '{branch}' holds commits deploy did not make; nothing was pushed. "
            "Deploy to another --branch, or pass --force to publish over it"
        )
    if target.remote and not is_deploy_commit(repo, target.remote):
        raise DeployError(
            f"'{remote}/{branch}' holds commits deploy did not make; nothing was pushed. "
            "Deploy to another --branch, or pass --force to publish on top of it"
        )


def is_deploy_commit(repo: Path, commit: str) -> bool:
    """Whether `commit` was made by deploy: it carries the trailer, or the message older versions wrote."""
    body = _git(repo, "log", "-1", "--format=%B", commit)
    trailers = _git(repo, "log", "-1", f"--format=%(trailers:key={TRAILER},valueonly)", commit)
    return bool(trailers.strip()) or bool(_LEGACY_MESSAGE.match(body))


def _with_trailer(message: str) -> str:
    """The commit message with the marker that lets later deploys recognise the branch as theirs."""
    from digestsite import __version__

    return f"{message.rstrip()}\n\n{TRAILER}: {__version__}\n"


def _push(repo: Path, remote: str, commit: str, ref: str) -> None:
    """A plain push (never forced): a remote that moved meanwhile rejects it and nothing local changes."""
    _git(repo, "push", "--quiet", remote, f"{commit}:{ref}")


def _finish(repo: Path, target: _Target, commit: str, changed: bool) -> DeployResult:
    """Move the local branch to what was pushed, unless a worktree has it checked out."""
    if target.checked_out or target.local == commit:
        return DeployResult(commit, changed, local_updated=target.local == commit)
    replaced = "" if not target.local or _is_ancestor(repo, target.local, commit) else target.local
    try:
        # The old value ('' for none) makes git refuse if the ref moved since it was read.
        _git(repo, "update-ref", "-m", "digestsite deploy", target.ref, commit, target.local)
    except DeployError as exc:
        raise DeployError(f"pushed {commit[:12]}, but the local branch was left as it was: {exc}") from None
    return DeployResult(commit, changed, replaced=replaced)


def _is_ancestor(repo: Path, older: str, newer: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", older, newer]).returncode == 0


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
