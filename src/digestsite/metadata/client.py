"""A thin client of the arXiv API's query (`id_list`, `start`, `max_results`) that keeps arXiv's terms of use.

At most one request every three seconds, counted from the end of the last one; a descriptive User-Agent;
transient failures (HTTP 429 and 5xx, a dropped or timed-out connection, a garbled answer) retried with
growing pauses, longer if the server asks for it (Retry-After). The clock and the sleep are passed in,
so tests check the spacing without waiting for it.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import urlencode

from digestsite import __version__
from digestsite.errors import EXIT_NETWORK, DigestsiteError
from digestsite.metadata import API_URL
from digestsite.metadata.atom import Feed, FeedError, parse_feed
from digestsite.metadata.record import ArxivRecord

BATCH_SIZE = 100  # IDs per request
INTERVAL = 3.0  # seconds between requests, as arXiv's terms of use ask
RETRIES = 4  # after the first try: pauses of 6, 12, 24 and 48 seconds
MAX_RETRY_AFTER = 300.0
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # 100 entries take well under a megabyte
USER_AGENT = f"digestsite/{__version__} (fetch-metadata: arXiv metadata for a static site of paper digests)"
_TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(DigestsiteError):
    """The arXiv API could not be reached after every retry, or refused the query."""

    exit_code = EXIT_NETWORK


class _Transient(Exception):
    """A failure worth another try; `retry_after` is the server's own request for a pause, in seconds."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def batches(ids: Sequence[str], size: int = BATCH_SIZE) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class ArxivClient:
    def __init__(
        self,
        api_url: str = API_URL,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        interval: float = INTERVAL,
        retries: int = RETRIES,
        timeout: float = 60.0,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.api_url = api_url
        self.clock, self.sleep = clock, sleep
        self.interval, self.retries, self.timeout = interval, retries, timeout
        self.user_agent = user_agent
        self.requests = 0
        self._not_before: float | None = None  # no request may start before this time

    def fetch(self, ids: Sequence[str]) -> dict[str, ArxivRecord]:
        """Every ID's record, in the order given; an ID arXiv does not know gets one with `found` False."""
        wanted = set(ids)
        found: dict[str, ArxivRecord] = {}
        start = 0
        while True:  # one page holds them all (max_results is the batch's size), unless a server pages
            feed = self._query(ids, start)
            found.update((r.arxiv_id, r) for r in feed.records if r.arxiv_id in wanted)
            start += len(feed.records)
            if not feed.records or start >= min(feed.total, len(ids)):
                break
        return {arxiv_id: found.get(arxiv_id, ArxivRecord(arxiv_id, found=False)) for arxiv_id in ids}

    def _query(self, ids: Sequence[str], start: int) -> Feed:
        query = urlencode({"id_list": ",".join(ids), "start": start, "max_results": len(ids)})
        url = f"{self.api_url}?{query}"
        problem = ""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                return self._answer(url)
            except _Transient as exc:
                problem = str(exc)
                pause = max(self.interval * 2 ** (attempt + 1), min(exc.retry_after, MAX_RETRY_AFTER))
                self._not_before = self.clock() + pause
        raise FetchError(f"the arXiv API at {self.api_url} did not answer: {problem} ({self.retries + 1} tries)")

    def _wait_turn(self) -> None:
        if self._not_before is not None:
            wait = self._not_before - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _answer(self, url: str) -> Feed:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from None
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, dropped, timed out
            raise _Transient(f"{type(exc).__name__}: {exc}") from None
        finally:
            self._not_before = self.clock() + self.interval
        try:
            feed = parse_feed(data)
        except FeedError as exc:  # a proxy's error page, or an answer cut short
            raise _Transient(str(exc)) from None
        if feed.errors:
            raise FetchError(f"the arXiv API refused the query: {'; '.join(feed.errors)}")
        return feed

    def _refusal(self, error: urllib.error.HTTPError) -> Exception:
        """A transient status to retry, else the error the API explains in its feed (HTTP 400), else the status."""
        if error.code in _TRANSIENT_STATUS:
            return _Transient(f"HTTP {error.code}", _seconds(error.headers.get("Retry-After")))
        try:
            explained = parse_feed(error.read(MAX_ANSWER_BYTES)).errors
        except (FeedError, OSError, http.client.HTTPException):
            explained = []
        reason = "; ".join(explained) or f"HTTP {error.code} {error.reason}"
        return FetchError(f"the arXiv API at {self.api_url} refused the query: {reason}")


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0  # an HTTP date instead of seconds: the usual pause will do
