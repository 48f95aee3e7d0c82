"""The render stage's shortcuts give what the plain way gives: links, partials written in, dealt shares."""

from __future__ import annotations

import itertools
from pathlib import Path

from digestsite.output.write import DEAL_RUN, _dealt
from digestsite.render.environment import create_environment
from digestsite.render.hrefs import Hrefs
from digestsite.render.theme import theme_dir
from digestsite.site.routes import relative_url

FOLDERS = ["", "a", "en", "papers", "en/papers", "a/b", "topics/a", "topics/a/2", "en/topics/a/2"]
FILES = ["index.html", "feed.xml", "a"]


def test_links_from_a_page_are_relative_url_s():
    paths = [f"{folder}/{name}" if folder else name for folder in FOLDERS for name in FILES]
    for local in (False, True):
        hrefs = Hrefs(local)
        for start, target in itertools.product(paths, paths):
            assert hrefs.relative(start, target) == relative_url(start, target, local), (start, target)


def test_bundled_partials_are_written_into_bundled_templates(tmp_path):
    env = create_environment(tmp_path / "templates")
    source = env.loader.get_source(env, "paper.html")[0]
    assert "{% include" not in source
    assert source.count('<p class="authors">') == 1  # paper_meta.html, and the authors.html it includes


def test_a_partial_the_site_overrides_is_included_from_the_site(tmp_path):
    templates = tmp_path / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "authors.html").write_text("<p>by {{ paper.authors|length }}</p>\n", "utf-8")
    env = create_environment(tmp_path / "templates")
    source = env.loader.get_source(env, "paper.html")[0]
    assert '{% include "partials/authors.html" %}' in source
    assert "{% include" not in source.replace('{% include "partials/authors.html" %}', "")


def test_a_theme_template_the_site_overrides_is_the_site_s_as_written(tmp_path):
    (tmp_path / "templates").mkdir()
    own = '{% extends "theme/paper.html" %}{% block title %}{% include "partials/truncated.html" %}{% endblock %}\n'
    (tmp_path / "templates" / "paper.html").write_text(own, "utf-8")
    env = create_environment(tmp_path / "templates")
    assert env.loader.get_source(env, "paper.html")[0] == own
    assert "{% include" not in env.loader.get_source(env, "theme/paper.html")[0]
    assert Path(env.get_template("theme/paper.html").filename) == theme_dir() / "templates" / "paper.html"


def test_outputs_are_dealt_in_runs_and_none_is_lost():
    outputs = list(range(5 * DEAL_RUN + 3))
    shares = _dealt(outputs, 2)  # type: ignore[arg-type]
    assert shares[0][:DEAL_RUN] == outputs[:DEAL_RUN] and shares[1][:DEAL_RUN] == outputs[DEAL_RUN : 2 * DEAL_RUN]
    assert sorted(shares[0] + shares[1]) == outputs
