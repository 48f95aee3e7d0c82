"""Browsing as a reader does, in real Chromium: papers on a phone's first screen, a header that stays on one
row, Latin words never letter-spaced, and related papers that lead somewhere."""

from __future__ import annotations

import pytest

PHONE = {"width": 375, "height": 667}  # the smallest common phone screen
LANGUAGES = ["", "en/"]
# The pages a reader browses, one of each kind with its own layout (the paper page is the one with summaries).
PAGES = ["", "topics/state-space-models/", "batches/2024-04/", "papers/2403.19887/"]

# The vertical middle of each item of the header, grouped into rows.
HEADER_ROWS = """() => {
  const items = [...document.querySelectorAll(
    '.brand, .site-nav a, .header-search input, .theme-toggle, .lang-switch > *')];
  const middles = items.filter(e => e.getClientRects().length)
    .map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; }).sort((a, b) => a - b);
  const rows = [];
  for (const m of middles) { if (!rows.length || m - rows[rows.length - 1] > 12) rows.push(m); }
  return rows.length;
}"""

# Elements whose own text has a Latin letter and that would be justified character by character.
INTER_CHARACTER = """() => [...document.querySelectorAll('body *')].filter(e =>
  [...e.childNodes].some(n => n.nodeType === 3 && /[A-Za-z]/.test(n.textContent)) &&
  getComputedStyle(e).textJustify === 'inter-character').map(e => e.tagName + '.' + e.className).slice(0, 5)"""


@pytest.mark.parametrize("ui", LANGUAGES)
def test_a_phone_shows_at_least_three_papers_on_the_first_screen(demo_site, context_for, ui, cjk_font):
    """A card counts when its title can be read whole without scrolling."""
    page = context_for(viewport=PHONE).new_page()
    page.goto(f"{demo_site}{ui}")
    bottoms = page.evaluate(
        "[...document.querySelectorAll('.latest .card-title')].map(e => e.getBoundingClientRect().bottom)"
    )
    shown = [bottom for bottom in bottoms if bottom <= PHONE["height"]]
    assert len(shown) >= 3, f"only {len(shown)} card titles above the fold: {bottoms[:4]}"


@pytest.mark.parametrize("ui", LANGUAGES)
def test_the_header_fits_and_latin_text_is_never_letter_spaced(demo_site, context_for, ui, cjk_font):
    """One row of header at 1280 px and two at most on a phone; no Latin word inside Chinese text justified
    letter by letter ("J a m b a")."""
    wide = context_for(viewport={"width": 1280, "height": 800}).new_page()
    phone = context_for(viewport=PHONE).new_page()
    for path in PAGES:
        wide.goto(f"{demo_site}{ui}{path}")
        assert wide.evaluate(HEADER_ROWS) == 1, f"{ui}{path}: the header wraps at 1280 px"
        height = wide.evaluate("document.querySelector('.header-inner').getBoundingClientRect().height")
        assert height < 64, f"{ui}{path}: the header is {height} px tall at 1280 px"
        assert wide.evaluate(INTER_CHARACTER) == [], f"{ui}{path}"
        phone.goto(f"{demo_site}{ui}{path}")
        assert phone.evaluate(HEADER_ROWS) <= 2, f"{ui}{path}: the header takes more than two rows at 375 px"
    # The checks find what they look for where it is.
    wide.add_style_tag(content=".summary p { text-justify: inter-character; } .brand { display: block; width: 100%; }")
    assert wide.evaluate(INTER_CHARACTER) and wide.evaluate(HEADER_ROWS) == 2


def test_related_papers_lead_to_their_pages(demo_site, context_for):
    page = context_for().new_page()
    page.goto(f"{demo_site}en/papers/2403.19887/")
    links = page.locator(".related-list a")
    titles = links.all_inner_texts()
    assert any(title.startswith("Transformers are SSMs") for title in titles)
    for index, title in enumerate(titles):
        page.locator(".related-list a").nth(index).click()
        assert page.locator("h1").inner_text() == title
        page.go_back()
