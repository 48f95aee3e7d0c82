"""Templates specialized per family of pages (render/specialize.py) render what the plain ones render,
byte for byte, on every page of several sites; a site's own templates still decide its pages."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from arxiv_api import fetch_fixture_metadata
from corpus import write_corpus
from digestsite.config import load_config
from digestsite.render import specialize
from digestsite.render.assets import collect_assets
from digestsite.render.environment import create_environment
from digestsite.render.hrefs import Hrefs
from digestsite.render.renderer import Renderer
from digestsite.render.specialize import SENTINEL, SharedLinks, depends_on_key, family_path
from digestsite.render.theme import theme_dir
from digestsite.site.assemble import load_site, with_browsing
from digestsite.site.pages import plan_pages
from digestsite.site.routes import Routes, relative_url
from helpers import HOSTILE, REPO, SEEDS, write_site
from htmldom import parse_html

SPECIALIZED: dict[str, bool] = {}  # the last `rendered`: whether each template had a family specialized


def rendered(config_file: Path, threshold: int, local: bool = False) -> dict[str, str]:
    """Every page of the site by its path, rendered by one renderer whose families specialize after
    `threshold` pages."""
    config = load_config(config_file)
    site = with_browsing(load_site(config))
    assets = collect_assets(theme_dir() / "static", config.static_dir)
    renderer = Renderer(site, assets, local=local, env=create_environment(config.templates_dir))
    renderer._specializer.threshold = threshold
    pages = {page.path: renderer.render(page) for page in plan_pages(site, "search-index/meta.js")}
    SPECIALIZED.clear()
    for (template, *_), env in renderer._specializer._envs.items():
        SPECIALIZED[template] = SPECIALIZED.get(template, False) or env is not None
    return pages


def assert_same_pages(config_file: Path, local: bool = False) -> dict[str, str]:
    plain = rendered(config_file, 10**9, local)
    folded = rendered(config_file, 0, local)
    assert folded.keys() == plain.keys()
    specialized = dict(SPECIALIZED)
    for path, text in plain.items():
        assert folded[path] == text, path
    # Specialized after a few pages: the families' first pages plain, the rest folded, all the same.
    assert rendered(config_file, 2, local) == plain
    SPECIALIZED.update(specialized)
    return folded


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    return tmp_path / "site.yaml"


@pytest.mark.parametrize("local", [False, True])
def test_the_bundled_site_renders_the_same(bundled, local):
    assert_same_pages(bundled, local)
    assert all(SPECIALIZED.values()) and SPECIALIZED.keys() >= {"paper.html", "batch.html", "topic.html"}


def test_a_site_without_base_url_renders_the_same(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "site.yaml").write_text("languages: [en, zh]\n", "utf-8")
    assert_same_pages(tmp_path / "site.yaml")


def test_pages_with_arxiv_metadata_render_the_same(tmp_path):
    digest = (REPO / "tests" / "fixtures" / "arxiv" / "digest.md").read_text("utf-8")
    config_file = write_site(tmp_path, {"sample.md": digest}, "base_url: https://example.org/d/\n")
    fetch_fixture_metadata(config_file)
    pages = assert_same_pages(config_file)
    assert 'class="categories"' in pages["papers/2912.00101/index.html"]


def test_hostile_content_renders_the_same_and_escaped(tmp_path):
    control = "# Control \x01 and \x7f <b>bold</b>\n[中文\x02标题](https://arxiv.org/abs/2401.00010)\n\n摘要 \x1b\n"
    config_file = write_site(tmp_path, {"a.md": HOSTILE + "\n" + control}, "base_url: https://example.org/d/\n")
    pages = assert_same_pages(config_file)
    page = pages["papers/2401.00009/index.html"]
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;t&#39;)" in page
    assert "\x01" not in pages["papers/2401.00010/index.html"]


def test_a_site_s_own_templates_are_used_and_render_the_same(bundled):
    templates = bundled.parent / "templates"
    (templates / "partials").mkdir(parents=True)
    # An override that extends the theme's page and binds `t` itself, and an overridden partial.
    (templates / "paper.html").write_text(
        '{% extends "theme/paper.html" %}{% block title %}{% set t = "own" %}{{ t }} {{ lang }} '
        "{{ page.kind }}{% endblock %}\n",
        "utf-8",
    )
    (templates / "partials" / "topics.html").write_text(
        '<p class="own-topics">{% for x in ["x"] %}{{ x }}{% endfor %} {{ t("nav.home") }}</p>\n', "utf-8"
    )
    pages = assert_same_pages(bundled)
    paper = pages["en/papers/2403.19887/index.html"]
    assert "<title>own en paper</title>" in paper
    assert SPECIALIZED["paper.html"]
    assert '<p class="own-topics">x Home</p>' in paper
    assert 'href="../../archive/"' in paper  # the theme's header, from the page's depth


def test_a_partial_that_rebinds_a_name_written_in_before_renders_the_same(bundled):
    (bundled.parent / "templates" / "partials").mkdir(parents=True)
    (bundled.parent / "templates" / "partials" / "topics.html").write_text(
        '<p class="own-topics">{% for lang in ["x"] %}{{ lang }}{% endfor %} {{ lang }}</p>\n', "utf-8"
    )
    pages = assert_same_pages(bundled)
    assert '<p class="own-topics">x en</p>' in pages["en/papers/2403.19887/index.html"]
    assert not SPECIALIZED["paper.html"]  # `lang` was written into the page before the partial came


def test_a_template_importing_without_context_renders_the_same(bundled):
    templates = bundled.parent / "templates" / "partials"
    templates.mkdir(parents=True)
    # Imported without the page's context, the macro sees no `lang`: it must not be written in.
    (templates / "lang_of.html").write_text(
        '{% macro lang_of() %}{{ "defined" if lang is defined else "undefined" }}{% endmacro %}\n', "utf-8"
    )
    (templates / "truncated.html").write_text(
        '{% import "partials/lang_of.html" as own %}<p class="own">{{ own.lang_of() }} {{ lang }}</p>\n', "utf-8"
    )
    pages = assert_same_pages(bundled)
    assert any('<p class="own">undefined ' in text for text in pages.values())
    assert not SPECIALIZED["paper.html"] and SPECIALIZED["topic.html"]


def test_links_that_depend_on_the_page_s_own_folder_are_not_shared():
    family = f"topics/{SENTINEL}/{SENTINEL}/index.html"
    assert not depends_on_key(family, "topics/index.html")
    assert not depends_on_key(family, "assets/style.css")
    assert not depends_on_key(family, "index.html")
    assert depends_on_key(family, "topics/agents/index.html")  # ../ from agents/2/, ../../agents/ elsewhere
    assert depends_on_key(f"en/papers/{SENTINEL}/index.html", "en/papers/2403.19887/index.html")
    assert not depends_on_key(f"en/papers/{SENTINEL}/index.html", "papers/2403.19887/index.html")


def test_families_specialize_only_after_the_threshold():
    assert specialize.THRESHOLD > 0


@pytest.mark.parametrize("local", [False, True])
def test_links_shared_by_a_family_are_the_page_s_own_links(local):
    routes = Routes(("zh", "en"))
    pages = [
        (kind, lang, key)
        for lang in routes.languages
        for kind, keys in (
            ("home", [""]),
            ("archive", [""]),
            ("paper", ["2403.19887", "2401.00001"]),
            ("batch", ["2024-03", "x"]),
            ("topic", ["agents", "agents/2", "agents/3", "mamba", "mamba/2"]),
        )
        for key in keys
    ]
    targets = [routes.path(*page) for page in pages] + ["assets/style.css", "feed.xml", "topics/agents/feed.xml"]
    hrefs = Hrefs(local)
    shared = SharedLinks(Hrefs(local).relative)
    for kind, lang, key in pages:
        path = routes.path(kind, lang, key)
        family = family_path(partial(routes.path, kind, lang), key)
        for target in targets:
            assert shared.href(path, family, target) == hrefs.relative(path, target), (path, target)


def test_a_topic_of_many_pages_links_each_of_its_pages(tmp_path):
    write_corpus(tmp_path / "seeds", 400)
    (tmp_path / "site.yaml").write_text("languages: [zh, en]\n", "utf-8")
    pages = assert_same_pages(tmp_path / "site.yaml")
    routes = Routes(("zh", "en"))
    slug = next(p.split("/")[1] for p in sorted(pages) if p.startswith("topics/") and p.endswith("/3/index.html"))
    for lang in ("zh", "en"):
        paths = [routes.path("topic", lang, slug)]
        while routes.path("topic", lang, f"{slug}/{len(paths) + 1}") in pages:
            paths.append(routes.path("topic", lang, f"{slug}/{len(paths) + 1}"))
        assert len(paths) > 2
        for number, path in enumerate(paths, 1):
            items = parse_html(pages[path]).find("nav", class_="pagination").find_all("li")
            assert [item.text() for item in items] == [str(n) for n in range(1, len(paths) + 1)]
            for other, item in enumerate(items, 1):
                if other == number:
                    assert item.find("span").attrs["aria-current"] == "page" and not item.find_all("a")
                else:
                    assert item.find("a").attrs["href"] == relative_url(path, paths[other - 1])
