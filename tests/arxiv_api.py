"""A local server that answers the arXiv API's query like arXiv does, from the entries in
`fixtures/arxiv/feed.xml` (written in the form of the API user manual's example responses).

It honours `id_list`, `start` and `max_results`, leaves out IDs it does not know, answers a malformed ID
with the manual's error feed (HTTP 400), and can be told to fail the next requests: `503` (with an
optional Retry-After), `drop` (close the connection without a word) or `hold` (answer only once
released). Each request is logged with its
query, its User-Agent and the time on the test's clock.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from digestsite.content.arxiv import normalise_id

FEED = Path(__file__).parent / "fixtures" / "arxiv" / "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {"atom": ATOM}
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?{query}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {title}</title>
  <id>http://arxiv.org/api/fixture</id>
  <updated>2030-02-01T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}</opensearch:itemsPerPage>
"""
ERROR_ENTRY = """  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{id}</id>
    <title>Error</title>
    <summary>incorrect id format for {id}</summary>
    <updated>2030-02-01T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{id}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""
SYNTHETIC = """  <entry>
    <id>http://arxiv.org/abs/{id}v1</id>
    <updated>2029-12-10T00:00:00Z</updated>
    <published>2029-12-10T00:00:00Z</published>
    <title>Made-up Paper {id}</title>
    <summary>  An abstract made up for paper {id}.
</summary>
    <author>
      <name>Test Author {id}</name>
    </author>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def fixture_entries() -> dict[str, str]:
    """The fixture feed's entries by arXiv ID, as the XML text of each `<entry>`."""
    ET.register_namespace("", ATOM)
    root = ET.parse(FEED).getroot()
    entries = {}
    for entry in root.findall("atom:entry", NAMESPACES):
        arxiv_id = normalise_id(entry.findtext("atom:id", "", NAMESPACES).rsplit("/abs/", 1)[1])
        entries[arxiv_id] = "  " + ET.tostring(entry, encoding="unicode").strip() + "\n"
    return entries


@dataclass
class Request:
    query: dict[str, str]
    user_agent: str
    time: float

    @property
    def ids(self) -> list[str]:
        return self.query["id_list"].split(",")


@dataclass
class FakeArxiv:
    """The server's state: what it knows, what it was asked, and the failures still to come."""

    entries: dict[str, str] = field(default_factory=fixture_entries)
    clock: Callable[[], float] = lambda: 0.0
    synthesize: Callable[[str], bool] = lambda arxiv_id: False  # IDs it makes an entry up for
    page_limit: int | None = None  # at most this many entries per answer, whatever max_results says
    faults: list[tuple[str, float]] = field(default_factory=list)  # ("503", retry_after) or ("drop", 0)
    requests: list[Request] = field(default_factory=list)
    on_request: Callable[[Request], None] = lambda request: None
    released: threading.Event = field(default_factory=threading.Event)  # ends a `hold`

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/query"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, query: dict[str, str]) -> tuple[int, str]:
        ids = [i for i in query.get("id_list", "").split(",") if i]
        bad = next((i for i in ids if normalise_id(i) is None), None)
        fields = {"query": re.sub(r"[^\w.,=&-]", "", str(query)), "title": "fixture"}
        if bad is not None:
            return 400, HEADER.format(total=1, start=0, per_page=1, **fields) + ERROR_ENTRY.format(id=bad) + "</feed>\n"
        known = []
        for arxiv_id in (normalise_id(i) for i in ids):
            if arxiv_id in self.entries:
                known.append(self.entries[arxiv_id])
            elif arxiv_id and self.synthesize(arxiv_id):
                known.append(SYNTHETIC.format(id=arxiv_id))
        start, size = int(query.get("start", 0)), int(query.get("max_results", 10))
        size = min(size, self.page_limit or size)
        page = known[start : start + size]
        head = HEADER.format(total=len(known), start=start, per_page=size, **fields)
        return 200, head + "".join(page) + "</feed>\n"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                request = Request(query, self.headers.get("User-Agent", ""), fake.clock())
                fake.requests.append(request)
                fake.on_request(request)
                fault, retry_after = fake.faults.pop(0) if fake.faults else ("", 0.0)
                if fault == "drop":
                    self.close_connection = True  # not a byte of an answer
                    return
                if fault == "hold":  # an answer that takes its time: long enough to kill the client
                    fake.released.wait(60)
                if parts.path != "/api/query":
                    self.send_error(404)
                    return
                status, body = (503, "Service Unavailable\n") if fault == "503" else fake.answer(query)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                if retry_after:
                    self.send_header("Retry-After", str(int(retry_after)))
                self.send_header("Content-Length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client is gone (killed while it waited)
                    self.close_connection = True

        return Handler


class FakeClock:
    """Time that passes only when slept: requests' spacing is checked without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fetch_fixture_metadata(site_yaml: Path) -> None:
    """The site's metadata/arxiv.jsonl as fetch-metadata writes it from this server's answers."""
    from digestsite.commands.fetch_metadata import fetch_metadata
    from digestsite.config import load_config
    from digestsite.metadata.client import ArxivClient

    clock = FakeClock()
    server = FakeArxiv(clock=clock)
    try:
        fetch_metadata(load_config(site_yaml), client=ArxivClient(server.url, clock=clock, sleep=clock.sleep))
    finally:
        server.close()
