"""Publishing: links that survive a subpath and file://, feeds, sitemap, head metadata, `new`, `deploy`."""

from __future__ import annotations

import json
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen

import feedparser
import pytest

from digestsite.commands.build import BuildOptions, build
from digestsite.config import load_config
from helpers import SUBPATH, PagesLikeHandler, run, write_site
from htmldom import parse_html


@pytest.fixture
def served_site(bundled_site: Path) -> Iterator[tuple[str, Path]]:
    """The demo site built for, and served at, http://127.0.0.1:PORT/digest/."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PagesLikeHandler, directory="/"))
    base_url = f"http://127.0.0.1:{server.server_port}{SUBPATH}"
    config = load_config(bundled_site, {"base_url": base_url})
    build(config)
    server.RequestHandlerClass = partial(PagesLikeHandler, directory=str(config.output_dir))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url, config.output_dir
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def references(html: bytes) -> list[str]:
    page = parse_html(html.decode("utf-8"))
    refs = []
    for node in page.find_all():
        for attr in ("href", "src"):
            if node.attrs.get(attr):
                refs.append(node.attrs[attr])
    return refs


def test_crawl_under_a_subpath_finds_no_broken_link_and_no_escape(served_site):
    base_url, _ = served_site
    origin = urlsplit(base_url).netloc
    missing = urljoin(base_url, "no/such/deep/page/")
    queue = [base_url, urljoin(base_url, "en/"), missing]
    seen = set(queue)
    broken, escaped = [], []
    while queue:
        url = queue.pop()
        status, body, kind = fetch(url)
        if status != 200 and url != missing:
            broken.append(url)
        if "text/html" not in kind:
            continue
        for ref in references(body):
            target = urljoin(url, ref).split("#")[0]
            parts = urlsplit(target)
            if parts.netloc != origin:
                continue
            if not parts.path.startswith(SUBPATH):
                escaped.append(f"{url} → {ref}")
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    assert broken == [] and escaped == []
    assert len(seen) > 2 * (56 + 4 + 2)


def test_404_page_links_work_from_any_depth(served_site):
    base_url, _ = served_site
    status, body, _ = fetch(urljoin(base_url, "a/b/c/d/"))
    assert status == 404
    stylesheet = parse_html(body.decode()).find("link", rel="stylesheet").attrs["href"]
    assert stylesheet.startswith(SUBPATH + "assets/")
    assert fetch(urljoin(base_url + "a/b/c/d/", stylesheet))[0] == 200


def test_local_build_links_resolve_on_disk(bundled_site):
    config = load_config(bundled_site)
    build(config, options=BuildOptions(local=True))
    root = config.output_dir
    broken = []
    for html_file in root.rglob("*.html"):
        for ref in references(html_file.read_bytes()):
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith("#"):
                continue
            target = (html_file.parent / unquote(parts.path)).resolve()
            if not target.is_file() or not target.is_relative_to(root.resolve()):
                broken.append(f"{html_file.relative_to(root)} → {ref}")
    assert broken == []


def test_feeds_parse_and_carry_absolute_links_under_base_url(built_bundled):
    base_url = "https://example.github.io/digestsite/"
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        feed = feedparser.parse((built_bundled / prefix / "feed.xml").read_bytes())
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert feed.feed.language == lang
        assert len(feed.entries) == 50
        assert len({e.id for e in feed.entries}) == 50
        first = feed.entries[0]
        assert first.id == "https://arxiv.org/abs/2405.21060"
        assert first.link == f"{base_url}{prefix}papers/2405.21060/"
        assert "状态空间" in first.title or "Transformer 是广义模型" in first.title
        assert first.updated == "2024-06-01T00:00:00Z"
        assert all(link.href.startswith(("https://arxiv.org/", base_url)) for e in feed.entries for link in e.links)
        assert "<a href=" in first.content[0].value
    home = parse_html((built_bundled / "index.html").read_text("utf-8"))
    assert home.find("link", type="application/atom+xml").attrs["href"] == "feed.xml"


def test_sitemap_lists_every_page_with_language_alternates(built_bundled):
    base_url = "https://example.github.io/digestsite/"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring((built_bundled / "sitemap.xml").read_bytes())
    locs = {u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)}
    pages = {
        base_url + p.relative_to(built_bundled).as_posix()[: -len("index.html")]
        for p in built_bundled.rglob("index.html")
    }
    assert locs == pages
    for url in root.findall("s:url", ns):
        langs = {link.get("hreflang") for link in url.findall("x:link", ns)}
        assert langs == {"zh-CN", "en", "x-default"}
    robots = (built_bundled / "robots.txt").read_text("utf-8")
    assert f"Sitemap: {base_url}sitemap.xml" in robots


def test_head_metadata_canonical_hreflang_open_graph_and_json_ld(built_bundled):
    page = parse_html((built_bundled / "en/papers/2406.02539/index.html").read_text("utf-8"))
    url = "https://example.github.io/digestsite/en/papers/2406.02539/"
    assert page.find("link", rel="canonical").attrs["href"] == url
    hreflangs = {
        n.attrs["hreflang"]: n.attrs["href"] for n in page.find_all("link", rel="alternate") if "hreflang" in n.attrs
    }
    assert hreflangs["zh-CN"] == "https://example.github.io/digestsite/papers/2406.02539/"
    assert hreflangs["x-default"] == hreflangs["zh-CN"]
    og = {n.attrs["property"]: n.attrs["content"] for n in page.find_all("meta") if "property" in n.attrs}
    assert og["og:url"] == url and og["og:type"] == "article" and og["og:title"].startswith("Parrot")
    assert page.find("meta", name="twitter:card").attrs["content"] == "summary"
    assert page.find("meta", name="description").attrs["content"].startswith("多模态大语言模型")
    jamba = parse_html((built_bundled / "papers/2403.19887/index.html").read_text("utf-8"))
    data = json.loads(jamba.find("script", type="application/ld+json").text())
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == "Jamba: A Hybrid Transformer-Mamba Language Model"
    assert data["alternateName"] == "Jamba：混合 Transformer-Mamba 语言模型"
    assert data["url"] == "https://example.github.io/digestsite/papers/2403.19887/"
    assert data["sameAs"] == "https://arxiv.org/abs/2403.19887"
    assert data["inLanguage"] == "zh-CN"


def test_cname_is_written_when_configured(tmp_path):
    entry = "# T\n[标题](https://arxiv.org/abs/2401.00001)\n\n摘要。\n"
    config = load_config(write_site(tmp_path, {"a.md": entry}, "cname: digest.example.org\n"))
    build(config)
    assert (config.output_dir / "CNAME").read_text("utf-8") == "digest.example.org\n"
    assert not (config.output_dir / "feed.xml").exists()  # no base_url: no feed with guessed URLs


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def repository_with_origin(repo: Path, remote: Path) -> tuple[Path, Path]:
    """`repo` committed on `main`, with a bare repository at `remote` as its `origin`."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "author@example.org")
    git(repo, "config", "user.name", "Author")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "digests")
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    return repo, remote


@pytest.fixture
def site_repo(bundled_site: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The demo site as a git repository with a bare `origin`."""
    return repository_with_origin(bundled_site.parent, tmp_path / "remote.git")


def test_deploy_publishes_the_site_tree_and_leaves_the_checkout_alone(site_repo):
    repo, remote = site_repo
    (repo / "notes.txt").write_text("uncommitted work", "utf-8")
    before = (git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"), git(repo, "branch", "--show-current"))
    result = run(repo, "deploy")
    assert result.returncode == 0, result.stderr
    files = git(remote, "ls-tree", "--name-only", "gh-pages").splitlines()
    assert "index.html" in files and ".nojekyll" in files and "seeds" not in files
    after = (git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"), git(repo, "branch", "--show-current"))
    assert after == before
    assert not (repo / "_site").exists()
    commits = git(remote, "rev-list", "--count", "gh-pages")
    again = run(repo, "deploy")
    assert again.returncode == 0 and "nothing pushed" in again.stderr
    assert git(remote, "rev-list", "--count", "gh-pages") == commits == "1"


def test_deploy_outside_a_git_repository_or_without_the_remote_exits_2(bundled_site, site_repo):
    repo, _ = site_repo
    missing = run(repo, "deploy", "--remote", "upstream")
    assert missing.returncode == 2 and "no git remote named 'upstream'" in missing.stderr


def test_deploy_outside_a_repository_exits_2(bundled_site):
    result = run(bundled_site.parent, "deploy")
    assert result.returncode == 2 and "not inside a git repository" in result.stderr


SMALL = "# T\n[标题](https://arxiv.org/abs/2401.00001)\n\n摘要。\n"


@pytest.fixture
def small_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A one-paper site as a git repository on `main` with a bare `origin`: quick to build and deploy."""
    write_site(tmp_path / "repo", {"a.md": SMALL})
    return repository_with_origin(tmp_path / "repo", tmp_path / "remote.git")


def refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def test_deploy_refuses_a_local_branch_it_did_not_make_unless_forced(small_repo):
    repo, remote = small_repo
    git(repo, "checkout", "-q", "-b", "feature2")
    (repo / "work.txt").write_text("work in progress", "utf-8")
    git(repo, "add", "work.txt")
    git(repo, "commit", "-q", "-m", "work")
    work = git(repo, "rev-parse", "feature2")
    git(repo, "checkout", "-q", "main")
    before = refs(repo)
    refused = run(repo, "deploy", "--branch", "feature2")
    assert refused.returncode == 2 and "deploy did not make" in refused.stderr and "--force" in refused.stderr
    assert refs(repo) == before and refs(remote) == ""
    forced = run(repo, "deploy", "--branch", "feature2", "--force")
    assert forced.returncode == 0, forced.stderr
    assert git(repo, "merge-base", "--is-ancestor", work, "feature2") == ""  # the work is kept in its history
    assert git(remote, "rev-parse", "feature2") == git(repo, "rev-parse", "feature2")
    assert "index.html" in git(remote, "ls-tree", "--name-only", "feature2").splitlines()


def test_deploy_refuses_a_remote_branch_it_did_not_make_unless_forced(small_repo):
    repo, remote = small_repo
    git(repo, "push", "-q", "origin", "main:refs/heads/site")
    before = git(remote, "rev-parse", "site")
    refused = run(repo, "deploy", "--branch", "site")
    assert refused.returncode == 2 and "origin/site" in refused.stderr
    assert git(remote, "rev-parse", "site") == before
    assert run(repo, "deploy", "--branch", "site", "--force").returncode == 0
    assert git(remote, "rev-parse", "site~1") == before  # forced, but on top: nothing on the remote is lost


@pytest.mark.parametrize("branch", ["HEAD", "@", "-x", "a..b", "refs/heads/x", "@{-1}", "x.lock", "a b"])
def test_deploy_refuses_names_that_are_not_plain_branches(small_repo, branch):
    repo, remote = small_repo
    before = refs(repo)
    result = run(repo, "deploy", f"--branch={branch}")
    assert result.returncode == 2 and "not a branch name" in result.stderr
    assert refs(repo) == before and refs(remote) == ""


def test_deploy_commits_carry_a_marker_and_redeploys_build_on_them(small_repo):
    repo, remote = small_repo
    assert run(repo, "deploy").returncode == 0
    first = git(repo, "rev-parse", "gh-pages")
    assert git(repo, "log", "-1", "--format=%(trailers:key=Digestsite-Deploy,valueonly)", first)
    (repo / "seeds" / "b.md").write_text(SMALL.replace("2401.00001", "2401.00002"), "utf-8")
    custom = run(repo, "deploy", "--message", "Publish week 2")
    assert custom.returncode == 0, custom.stderr
    assert git(remote, "rev-parse", "gh-pages~1") == first
    assert git(repo, "rev-parse", "gh-pages") == git(remote, "rev-parse", "gh-pages")
    assert git(repo, "log", "-1", "--format=%s", "gh-pages") == "Publish week 2"


def test_deploy_recognises_branches_made_by_earlier_versions(small_repo):
    repo, remote = small_repo
    tree = git(repo, "hash-object", "-w", "-t", "tree", "/dev/null")  # the empty tree
    legacy = git(repo, "commit-tree", tree, "-m", "Deploy 1a2b3c4 with digestsite 0.4.0")
    git(repo, "push", "-q", "origin", f"{legacy}:refs/heads/gh-pages")
    result = run(repo, "deploy")
    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "gh-pages~1") == legacy


def test_deploy_never_moves_a_branch_checked_out_in_another_worktree(small_repo, tmp_path):
    repo, remote = small_repo
    assert run(repo, "deploy").returncode == 0
    git(repo, "worktree", "add", "-q", str(tmp_path / "pages"), "gh-pages")
    checked_out = git(repo, "rev-parse", "gh-pages")
    (repo / "seeds" / "b.md").write_text(SMALL.replace("2401.00001", "2401.00002"), "utf-8")
    result = run(repo, "deploy")
    assert result.returncode == 0, result.stderr
    assert "left as it was" in result.stderr
    assert git(repo, "rev-parse", "gh-pages") == checked_out == git(tmp_path / "pages", "rev-parse", "HEAD")
    assert git(remote, "rev-parse", "gh-pages~1") == checked_out
    git(repo, "worktree", "add", "-q", "-b", "feature", str(tmp_path / "feature"))
    feature = git(repo, "rev-parse", "feature")
    forced = run(repo, "deploy", "--branch", "feature", "--force")
    assert forced.returncode == 2 and "checked out in" in forced.stderr
    assert git(tmp_path / "feature", "rev-parse", "HEAD") == feature and refs(remote).count("feature") == 0


def test_deploy_moves_the_local_branch_only_after_the_push_succeeded(small_repo):
    repo, remote = small_repo
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n", "utf-8")
    hook.chmod(0o755)
    result = run(repo, "deploy")
    assert result.returncode == 2 and "push failed" in result.stderr
    assert "refs/heads/gh-pages" not in refs(repo)
    hook.unlink()
    assert run(repo, "deploy").returncode == 0
    deployed = git(repo, "rev-parse", "gh-pages")
    (repo / "seeds" / "b.md").write_text(SMALL.replace("2401.00001", "2401.00002"), "utf-8")
    hook.write_text("#!/bin/sh\nexit 1\n", "utf-8")
    hook.chmod(0o755)
    assert run(repo, "deploy").returncode == 2
    assert git(repo, "rev-parse", "gh-pages") == deployed == git(remote, "rev-parse", "gh-pages")
