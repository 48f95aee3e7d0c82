"""Page → HTML: a page's template context (links, head metadata, BibTeX) and the Jinja render."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from jinja2 import Environment, TemplateError
from markupsafe import Markup

from digestsite.content.categories import category_name
from digestsite.content.markdown import render_inline, render_summary, strip_control_characters
from digestsite.content.model import Paper
from digestsite.render.assets import Asset
from digestsite.render.bibtex import bibtex_entry
from digestsite.render.card_cache import CardCache
from digestsite.render.environment import TemplateProblem, create_environment
from digestsite.render.head import open_graph, scholarly_article, twitter_card
from digestsite.render.hrefs import Hrefs
from digestsite.render.links import Links
from digestsite.render.specialize import (
    Family,
    Refused,
    SharedLinks,
    Specializer,
    Unspecializable,
    depends_on_key,
    family_path,
)
from digestsite.site.assemble import Site
from digestsite.site.i18n import Locale
from digestsite.site.pages import METADATA_CSS, Page, lead, page_description, page_shows_metadata
from digestsite.site.routes import absolute_url, root_relative_url

# Names of the context a family's templates may have written in (see `_family`); a page whose data
# brings its own value for one of them renders with the plain templates.
_FOLDED = frozenset(
    ("lang", "site_title", "site_description", "has_feed", "has_topics", "page", "locale", "t", "content_lang",
     "category_name", "link", "asset", "href_to")
)  # fmt: skip


class Renderer:
    """Renders pages of one site; summaries are converted once and shared by every page and language."""

    def __init__(
        self, site: Site, assets: Mapping[str, Asset], local: bool = False, env: Environment | None = None
    ) -> None:
        self.site = site
        self.assets = assets
        self.local = local
        self.env = env or create_environment(site.config.templates_dir)
        self._summaries: dict[str, Markup] = {}
        self._leads: dict[str, str] = {}
        self._per_paper: dict[str, tuple[str, str]] = {}  # arXiv id → (description, BibTeX)
        self._hrefs = Hrefs(local)
        self._cards = CardCache(self.env, self.lead)
        self._specializer = Specializer(self.env)
        self._shared_links = SharedLinks(self._hrefs.relative)
        self._per_language: dict[str, dict[str, Any]] = {}
        self._link_memo: dict[tuple[str, ...], object] = {}  # see render/links.py, Links
        self._helpers: dict[str, Any] = {  # those of one page are added by `_page_helpers`
            "summary": self.summary_html,
            "content_lang": self.content_lang,
            "lead": self.lead,
            "paper_card": self._cards.html,
            "inline_markdown": lambda text: Markup(render_inline(text, site.config.allow_remote_images)),
        }

    def summary_html(self, paper: Paper) -> Markup:
        html = self._summaries.get(paper.arxiv_id)
        if html is None:
            html = Markup(render_summary(paper.summary, self.site.config.allow_remote_images))
            self._summaries[paper.arxiv_id] = html
        return html

    def lead(self, paper: Paper) -> str:
        """A card's opening of the summary (see `lead`), made once per paper."""
        text = self._leads.get(paper.arxiv_id)
        if text is None:
            text = self._leads[paper.arxiv_id] = lead(
                paper.summary or paper.abstract_en, paper.summary_lang if paper.summary else "en"
            )
        return text

    def content_lang(self, code: str) -> str:
        """The `lang` attribute for content in `code`: the locale's tag (zh → zh-CN) when there is one."""
        locale = self.site.locales.get(code)
        return locale.html_lang if locale else code

    def render(self, page: Page) -> str:
        try:
            # Control characters in titles or summaries are HTML parse errors wherever they land.
            return strip_control_characters(self._rendered(page))
        except TemplateError as exc:
            where = getattr(exc, "filename", None) or page.template
            line = getattr(exc, "lineno", None)
            location = f"{where}:{line}" if line else where
            raise TemplateProblem(f"{location}: error: template failed on {page.path}: {exc}") from None

    def _rendered(self, page: Page) -> str:
        """The page from its family's own templates once it has them (see render/specialize.py), else from
        the plain ones: the same text."""
        key = self._family_key(page)
        if key is not None:
            template = self._specializer.template(key, page.template, partial(self._family, page, key[-1]))
            if template is not None:
                try:
                    return template.render(self._context(page, key[-1]))
                except Unspecializable:  # a template it included could not be specialized
                    self._specializer.give_up(key)
        return self.env.get_template(page.template).render(self._context(page, key[-1] if key else None))

    def _family_key(self, page: Page) -> tuple[str, ...] | None:
        """Pages of one template, kind and language at the same place in the route table share a family."""
        if not _FOLDED.isdisjoint(page.data):
            return None
        routes = self.site.routes
        try:
            if routes.path(page.kind, page.lang, page.key) != page.path:
                return None
        except KeyError:  # not a routed page
            return None
        path = family_path(partial(routes.path, page.kind, page.lang), page.key)
        return page.template, page.kind, page.lang, path

    def _family(self, page: Page, path: str) -> Family:
        """The values every page of `page`'s family shares, as its context (`_context`) gives them."""
        routes, lang = self.site.routes, page.lang
        locale = self.site.locales[lang]
        stand_in = replace(page, path=path, key="", data={})

        def href(target: str) -> str:
            if depends_on_key(path, target):
                raise Refused(target)
            return self.href(stand_in, target)

        def link(kind: str, key: str = "", lang: str | None = None) -> str:
            return href(routes.path(kind, lang or page.lang, key))

        language = self._language_values(page, locale)
        return Family(
            names=self._shared(page, locale),
            attributes={
                "page": {"kind": page.kind, "lang": lang},
                "locale": {"lang": locale.lang, "html_lang": locale.html_lang, "name": locale.name},
            },
            calls={
                "t": language["t"],
                "content_lang": self.content_lang,
                "category_name": language["category_name"],
                "link": link,
                "asset": lambda name: href(self.assets[name].path),
                "href_to": href,
            },
        )

    def _shared(self, page: Page, locale: Locale) -> dict[str, object]:
        """The context's values that are the same for every page of a language."""
        config = self.site.config
        return {
            "lang": page.lang,
            "site_title": config.title[page.lang],
            "site_description": config.description[page.lang],
            "has_feed": bool(config.base_url),
            "has_topics": bool(self.site.topics.topics),
        }

    def href(self, page: Page, target: str) -> str:
        """A link from `page` to an output file.

        Relative everywhere, so a build works at any subpath and from disk, except on the 404 page: a
        host serves it at whatever depth was missing, so its links start from the base URL's path.
        """
        if page.kind == "404" and not self.local:
            return root_relative_url(self.site.config.base_url or "/", target)
        return self._hrefs.relative(page.path, target)

    def _context(self, page: Page, family_path: str | None = None) -> dict[str, Any]:
        site, config, routes = self.site, self.site.config, self.site.routes
        base_url = config.base_url
        href = self._href_from(page, family_path)
        alternates = []
        for lang in config.languages:
            target = routes.path(page.kind, lang, page.key)
            alternates.append(
                {
                    "lang": lang,
                    "name": site.locales[lang].name,
                    "html_lang": site.locales[lang].html_lang,
                    "url": self.href(page, target),  # not shared: the target is this page's own in a language
                    "absolute": absolute_url(base_url, target) if base_url else "",
                    "current": lang == page.lang,
                }
            )
        paper = page.data.get("paper")
        locale = site.locales[page.lang]
        if isinstance(paper, Paper):
            description, bibtex = self._paper_texts(page, paper, locale)
        else:
            description, bibtex = page_description(page, locale, config.description[page.lang]), ""
        links = self._links(page, locale, href)
        return {
            **self._language_values(page, locale),
            **self._page_helpers(page, href),
            "page": page,
            "alternates": alternates,
            "canonical": absolute_url(base_url, page.path) if base_url and page.kind != "404" else "",
            "metadata_css": self._metadata_css(page, href),
            "description": description,
            "open_graph": open_graph(site, page, description),
            "twitter_card": twitter_card(page, description),
            "json_ld": scholarly_article(site, page, paper) if isinstance(paper, Paper) else "",
            "bibtex": bibtex,
            **page.data,
            **self._ready_links(page, links),
        }

    def _href_from(self, page: Page, family_path: str | None) -> Callable[[str], str]:
        """Links from `page` to output files; from a page of a family, those every page of the family
        shares are worked out once (see render/specialize.py, SharedLinks)."""
        if family_path is None or (page.kind == "404" and not self.local):
            return partial(self.href, page)
        return partial(self._shared_links.href, page.path, family_path)

    def _language_values(self, page: Page, locale: Locale) -> dict[str, Any]:
        """The context's helpers and values that are the same for every page of a language, made once."""
        values = self._per_language.get(page.lang)
        if values is None:
            lang = page.lang
            values = self._per_language[lang] = {
                **self._helpers,
                "locale": locale,
                **self._shared(page, locale),
                "t": locale.t,
                "category_name": lambda code: category_name(code, lang),
            }
        return values

    def _paper_texts(self, page: Page, paper: Paper, locale: Locale) -> tuple[str, str]:
        """A paper page's description and BibTeX, the same in every language: made once per paper."""
        texts = self._per_paper.get(paper.arxiv_id)
        if texts is None:
            description = page_description(page, locale, "")
            texts = self._per_paper[paper.arxiv_id] = (description, bibtex_entry(paper))
        return texts

    def _links(self, page: Page, locale: Locale, href: Callable[[str], str]) -> Links:
        routes, lang = self.site.routes, page.lang

        def link(kind: str, key: str) -> str:
            return href(routes.path(kind, lang, key))

        return Links(
            lang,
            link,
            self.content_lang,
            lambda names: locale.t("paper.authors_short", names=names),
            self._link_memo,
        )

    def _ready_links(self, page: Page, links: Links) -> dict[str, object]:
        """The page's lists of papers and topics as links (see render/links.py)."""
        data = page.data
        ready: dict[str, object] = {}
        if "related" in data:
            ready["related_links"] = links.papers(data["related"])  # type: ignore[arg-type]
        if page.kind == "paper":
            ready["topic_links"] = links.topics(data["topics"])  # type: ignore[arg-type]
        if page.kind == "topic":
            t = self.site.locales[page.lang].t
            keys, number = data["page_keys"], data["page_number"]
            ready["pagination"] = links.pages("topic", keys, number, lambda n: t("topic.page", page=n))  # type: ignore[arg-type]
        if "entries" in data:
            ready["cards"] = self._cards.cards(page, links, data["entries"])  # type: ignore[arg-type]
        return ready

    def _page_helpers(self, page: Page, href: Callable[[str], str]) -> dict[str, Any]:
        """The helpers that answer for one page, bound to it rather than taking Jinja's context: Jinja
        copies the whole context into a new one for every call of a `pass_context` function inside a
        block, which is most of a page (thirty calls of `t` alone on a paper page)."""
        routes, assets = self.site.routes, self.assets

        def link(kind: str, key: str = "", lang: str | None = None) -> str:
            return href(routes.path(kind, lang or page.lang, key))

        def asset(name: str) -> str:
            if name not in assets:
                raise TemplateProblem(f"error: template asks for asset '{name}', which no static folder has")
            return href(assets[name].path)

        # href_to: a link to any output file by its path, such as `search-index/meta.js`
        return {"link": link, "href_to": href, "asset": asset}

    def _metadata_css(self, page: Page, href: Callable[[str], str]) -> str:
        """The link to the stylesheet of arXiv metadata, on the pages that show some (else none, so a site
        without metadata is built as it was before there was any)."""
        if METADATA_CSS not in self.assets or not page_shows_metadata(page):
            return ""
        return href(self.assets[METADATA_CSS].path)
