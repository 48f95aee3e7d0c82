"""`digestsite new`: a scaffold whose Pages workflow installs what the user has, checks, and builds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from digestsite import __version__
from digestsite.commands import new
from digestsite.errors import DigestsiteError
from helpers import REPO, SEEDS, run

PINNED = f"digestsite=={__version__}"


class Recorded:
    """An installed distribution as importlib.metadata shows it: only its direct_url.json matters here."""

    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.direct_url) if name == "direct_url.json" and self.direct_url else None


def test_the_pin_follows_how_digestsite_was_installed(monkeypatch):
    monkeypatch.setattr(new, "distribution", lambda name: Recorded(None))
    assert new.installed_spec() == PINNED  # from a package index: no direct_url.json
    vcs = {"url": "https://github.com/example/digestsite", "vcs_info": {"vcs": "git", "commit_id": "0123abcd"}}
    monkeypatch.setattr(new, "distribution", lambda name: Recorded(vcs))
    assert new.installed_spec() == "digestsite @ git+https://github.com/example/digestsite@0123abcd"
    local = {"url": "file:///home/me/digestsite", "dir_info": {"editable": True}}
    monkeypatch.setattr(new, "distribution", lambda name: Recorded(local))
    with pytest.raises(DigestsiteError, match="--install"):
        new.installed_spec()


def test_a_local_install_asks_for_install_and_writes_nothing(tmp_path):
    result = run(tmp_path, "new", "mysite")  # the tests run digestsite installed from this checkout
    assert result.returncode == 2 and "--install" in result.stderr
    assert not (tmp_path / "mysite").exists()


def test_new_then_check_and_build_in_an_empty_folder(tmp_path):
    assert run(tmp_path, "new", "mysite", "--install", PINNED).returncode == 0
    site = tmp_path / "mysite"
    assert (site / ".github/workflows/pages.yml").is_file() and (site / ".gitignore").is_file()
    assert PINNED in (site / "requirements.txt").read_text("utf-8").splitlines()
    assert run(site, "check", "--strict").returncode == 0  # the sample digest is clean
    result = run(site, "build")
    assert result.returncode == 0, result.stderr
    assert (site / "_site/papers/2403.19887/index.html").is_file()
    assert run(tmp_path, "new", "mysite", "--install", PINNED).returncode == 2  # never over an existing site


def workflow_steps(path: Path) -> list[dict[str, object]]:
    jobs = yaml.safe_load(path.read_text("utf-8"))["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


@pytest.mark.parametrize("which", ["scaffold", "repository"])
def test_workflows_pin_actions_check_first_and_use_the_official_pages_actions(tmp_path, which):
    run(tmp_path, "new", "s", "--install", PINNED)
    path = tmp_path / "s/.github/workflows/pages.yml" if which == "scaffold" else REPO / ".github/workflows/pages.yml"
    steps = workflow_steps(path)
    uses = [str(step["uses"]) for step in steps if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", u) for u in uses), uses  # pinned to a major version
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    runs = [str(step["run"]) for step in steps if "run" in step]
    check = next(i for i, r in enumerate(runs) if r.startswith("digestsite check"))
    assert check < next(i for i, r in enumerate(runs) if r.startswith("digestsite build"))
    setup = next(step for step in steps if str(step.get("uses", "")).startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"  # type: ignore[index]


def test_metadata_is_fetched_before_the_build_here_and_optionally_in_a_new_site(tmp_path):
    def order(steps: list[dict[str, object]]) -> list[str]:
        return [str(step["run"]).split()[1] for step in steps if str(step.get("run", "")).startswith("digestsite")]

    ours = workflow_steps(REPO / ".github/workflows/pages.yml")
    assert order(ours) == ["check", "fetch-metadata", "build"]
    fetch = next(step for step in ours if step.get("run") == "digestsite fetch-metadata")
    assert fetch["continue-on-error"] is True  # arXiv being down does not stop a deploy
    run(tmp_path, "new", "s", "--install", PINNED)
    workflow = tmp_path / "s/.github/workflows/pages.yml"
    assert order(workflow_steps(workflow)) == ["check", "build"]  # off until the owner turns it on
    text = workflow.read_text("utf-8")
    enabled = re.sub(r"(?m)^(\s*)# (- run: digestsite fetch-metadata\n\s*)# ", r"\1\2", text)
    assert enabled != text
    workflow.write_text(enabled, "utf-8")
    assert order(workflow_steps(workflow)) == ["check", "fetch-metadata", "build"]
    assert next(s for s in workflow_steps(workflow) if "fetch" in str(s.get("run")))["continue-on-error"] is True


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """An sdist and a wheel built from this checkout, the wheel from the sdist, offline."""
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "digestsite"
    ignore = shutil.ignore_patterns(".venv", "node_modules", ".git", "test-artifacts", "_site", ".digestsite-cache")
    shutil.copytree(REPO, source, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def fresh_env(dist, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed (its dependencies from this environment)."""
    folder = tmp_path_factory.mktemp("venv")
    venv.create(folder, with_pip=True)
    wheel = next(dist.glob("digestsite-*.whl"))
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, timeout=300)
    # Then the dependencies, from the test environment, so nothing comes from the network. Its folder
    # goes after the new environment's own, so `import digestsite` finds the wheel's copy first.
    site_packages = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    target = next((folder / "lib").glob("python*/site-packages"))
    (target / "test-dependencies.pth").write_text(str(site_packages) + "\n", "utf-8")
    return folder


def in_env(env: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{env / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(env)}


@pytest.mark.slow
def test_the_wheel_carries_theme_locales_and_scaffold_and_builds_the_demo(dist, fresh_env, tmp_path):
    sdist = next(dist.glob("digestsite-*.tar.gz"))
    assert sdist.name == f"digestsite-{__version__}.tar.gz"
    env = in_env(fresh_env)
    version = subprocess.run(["digestsite", "--version"], env=env, capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"digestsite {__version__}"
    where = subprocess.run(["python", "-c", "import digestsite; print(digestsite.__file__)"], env=env,
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert str(fresh_env) in where  # the wheel's copy, not this checkout's
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    built = subprocess.run(["digestsite", "build"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "_site" / "papers" / "2403.19887" / "index.html").read_text("utf-8")
    assert "Jamba" in page and list((tmp_path / "_site" / "assets").glob("style.*.css"))


@pytest.mark.slow
def test_a_scaffolded_sites_workflow_steps_run_locally_against_the_wheel(dist, fresh_env, tmp_path):
    wheel = next(dist.glob("digestsite-*.whl"))
    env = {**in_env(fresh_env), "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1"}  # no network: dependencies are here
    created = subprocess.run(["digestsite", "new", "site", "--install", str(wheel)], cwd=tmp_path, env=env,
                             capture_output=True, text=True)  # fmt: skip
    assert created.returncode == 0, created.stderr
    site = tmp_path / "site"
    for step in workflow_steps(site / ".github/workflows/pages.yml"):
        if "run" in step:
            command = str(step["run"]).replace("${{ steps.pages.outputs.base_url }}", "https://me.github.io/digest")
            done = subprocess.run(command, shell=True, cwd=site, env=env, capture_output=True, text=True)
            assert done.returncode == 0, (command, done.stderr)
    assert (site / "_site" / "index.html").is_file() and (site / "_site" / "feed.xml").is_file()
    assert "https://me.github.io/digest/" in (site / "_site" / "sitemap.xml").read_text("utf-8")


def test_the_release_workflow_publishes_version_tags_with_trusted_publishing(tmp_path):
    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text("utf-8"))
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing: no stored token
    assert any(str(s.get("uses", "")).startswith("pypa/gh-action-pypi-publish@") for s in publish["steps"])
    check = next(
        s["run"] for s in workflow["jobs"]["build"]["steps"] if s.get("name") == "The tag names the packaged version"
    )
    for tag, passes in ((f"v{__version__}", True), ("v99.0.0", False)):
        env = {**os.environ, "GITHUB_REF_NAME": tag}
        result = subprocess.run(["bash", "-ec", check], cwd=REPO, env=env, capture_output=True, text=True)
        assert (result.returncode == 0) is passes, result.stderr
