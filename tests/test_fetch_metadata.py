"""`digestsite fetch-metadata` against a local server that speaks the arXiv API: batches, spacing, retries,
resuming, unknown and withdrawn papers, and no request at all when nothing is missing."""

from __future__ import annotations

import io
import itertools
import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator

import pytest

from arxiv_api import FakeArxiv, FakeClock
from digestsite.cli import main
from digestsite.commands.fetch_metadata import fetch_metadata
from digestsite.config import load_config
from digestsite.errors import ContentError
from digestsite.messages import ProgressLine
from digestsite.metadata.client import INTERVAL, ArxivClient, FetchError
from digestsite.metadata.store import read_store
from helpers import EXECUTABLE, REPO, run, write_site

DIGEST = (REPO / "tests" / "fixtures" / "arxiv" / "digest.md").read_text("utf-8")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def arxiv(clock) -> Iterator[FakeArxiv]:
    server = FakeArxiv(clock=clock, synthesize=lambda arxiv_id: arxiv_id.startswith("2912.1"))
    yield server
    server.close()


def client_for(arxiv: FakeArxiv, clock: FakeClock) -> ArxivClient:
    return ArxivClient(arxiv.url, clock=clock, sleep=clock.sleep)


def many_papers(count: int) -> str:
    """A digest of `count` papers whose IDs the server makes entries up for."""
    return "".join(f"# Made-up Paper 2912.{10000 + n}\n[论文 {n}](https://arxiv.org/abs/2912.{10000 + n})\n\n摘要。\n\n"
                   for n in range(count))  # fmt: skip


def spacing(arxiv: FakeArxiv) -> list[float]:
    times = [request.time for request in arxiv.requests]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_batches_of_100_ids_at_least_three_seconds_apart(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"many.md": many_papers(250)}))
    report = fetch_metadata(config, client=client_for(arxiv, clock))
    assert [len(request.ids) for request in arxiv.requests] == [100, 100, 50]
    assert all(request.query["max_results"] == str(len(request.ids)) for request in arxiv.requests)
    assert sorted(i for r in arxiv.requests for i in r.ids) == [f"2912.{10000 + n}" for n in range(250)]
    assert spacing(arxiv) == [INTERVAL, INTERVAL] and clock.sleeps == [INTERVAL, INTERVAL]
    assert (report.asked, report.requests, report.unknown) == (250, 3, 0)
    assert len(read_store(config.metadata_file).records) == 250
    assert arxiv.requests[0].user_agent.startswith("digestsite/")


def test_a_server_that_pages_is_followed_with_start(tmp_path, arxiv, clock):
    arxiv.page_limit = 2
    config = load_config(write_site(tmp_path, {"sample.md": DIGEST}))
    fetch_metadata(config, client=client_for(arxiv, clock))
    assert [r.query["start"] for r in arxiv.requests] == ["0", "2", "4"]
    assert sum(r.found for r in read_store(config.metadata_file).records.values()) == 5


def test_a_503_and_a_dropped_connection_are_retried_with_growing_pauses(tmp_path, arxiv, clock):
    arxiv.faults = [("503", 0), ("drop", 0), ("503", 30)]
    config = load_config(write_site(tmp_path, {"sample.md": DIGEST}))
    report = fetch_metadata(config, client=client_for(arxiv, clock))
    assert report.requests == 4 and len({tuple(r.ids) for r in arxiv.requests}) == 1  # one query, four tries
    assert spacing(arxiv) == [2 * INTERVAL, 4 * INTERVAL, 30.0]  # the third pause is the server's Retry-After
    assert read_store(config.metadata_file).records["2912.00101"].authors[0] == "Zoë Ångström"


def test_giving_up_keeps_what_earlier_batches_fetched(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"many.md": many_papers(150)}))
    arxiv.on_request = lambda request: arxiv.faults.append(("503", 0)) if len(arxiv.requests) >= 2 else None
    kept = r"did not answer: HTTP 503 \(5 tries\); the 100 papers fetched before are saved in .*arxiv.jsonl"
    with pytest.raises(FetchError, match=kept):
        fetch_metadata(config, client=client_for(arxiv, clock))
    assert len(arxiv.requests) == 6 and clock.sleeps == [
        INTERVAL,
        2 * INTERVAL,
        4 * INTERVAL,
        8 * INTERVAL,
        16 * INTERVAL,
    ]
    assert len(read_store(config.metadata_file).records) == 100


def test_unknown_withdrawn_and_retitled_papers_are_warnings_at_their_line(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"sample.md": DIGEST}))
    warnings: list[str] = []
    report = fetch_metadata(config, client=client_for(arxiv, clock), warn=lambda d: warnings.append(d.format()))
    seeds = str(tmp_path / "seeds" / "sample.md")
    assert warnings == [
        f"{seeds}:16: warning: arXiv 2912.00103 is withdrawn: This paper has been withdrawn by the authors due to "
        "an error in Lemma 2",
        f"{seeds}:32: warning: arXiv's title for 2912.00105 is 'Graph Networks for Regional Weather', the digest's "
        "'Compact Vision Transformers': is the ID right?",
        f"{seeds}:21: warning: arXiv does not know 2912.00199 (a typo in the ID, or a removed paper)",
    ]
    assert report.unknown == 1
    stored = read_store(config.metadata_file).records
    assert stored["2912.00199"].found is False and stored["2912.00103"].withdrawn


def test_a_second_run_asks_nothing_and_refresh_asks_again(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"sample.md": DIGEST}))
    fetch_metadata(config, client=client_for(arxiv, clock))
    first = config.metadata_file.read_bytes()
    again = fetch_metadata(config, client=client_for(arxiv, clock))
    assert (again.asked, again.requests, len(arxiv.requests)) == (0, 0, 1)  # unknown IDs are remembered too
    assert fetch_metadata(config, offline=True, client=client_for(arxiv, clock)).missing == 0
    assert len(arxiv.requests) == 1
    refreshed = fetch_metadata(config, refresh=True, client=client_for(arxiv, clock))
    assert (refreshed.asked, len(arxiv.requests)) == (6, 2)
    assert config.metadata_file.read_bytes() == first  # the same answers: the same bytes


def test_an_interrupted_run_resumes_without_asking_twice(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"many.md": many_papers(150)}))

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt  # Ctrl-C while waiting for the second request's turn

    with pytest.raises(KeyboardInterrupt):
        fetch_metadata(config, client=ArxivClient(arxiv.url, clock=clock, sleep=interrupt))
    assert len(read_store(config.metadata_file).records) == 100
    fetch_metadata(config, client=client_for(arxiv, clock))
    assert [len(r.ids) for r in arxiv.requests] == [100, 50]
    assert set(arxiv.requests[1].ids) == {f"2912.{10000 + n}" for n in range(100, 150)}


def test_offline_touches_no_network_and_tidies_the_file(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"sample.md": DIGEST}))
    config.metadata_dir.mkdir()
    line = '{"id": "2912.00102", "authors": ["Anna O\'Neil"]}\n{"id": "2912.00101", "authors": ["Zoë Ångström"]}\n'
    config.metadata_file.write_text(line + '{"id": "2912.0', "utf-8")  # unsorted, and cut short by a kill
    warnings: list[str] = []
    report = fetch_metadata(config, offline=True, client=ArxivClient("http://127.0.0.1:9/"), warn=warnings.append)
    assert (report.stored, report.missing, report.requests) == (2, 4, 0) and arxiv.requests == []
    assert [d.message for d in warnings] == ["the last line is incomplete (an interrupted fetch-metadata?); ignored"]
    ids = [json.loads(line)["id"] for line in config.metadata_file.read_text("utf-8").splitlines()]
    assert ids == ["2912.00101", "2912.00102"]


def test_a_file_with_a_broken_line_is_not_rewritten(tmp_path, arxiv, clock):
    config = load_config(write_site(tmp_path, {"sample.md": DIGEST}))
    config.metadata_dir.mkdir()
    config.metadata_file.write_text('{"id": "2912.00101"\n{"id": "2912.00102"}\n', "utf-8")
    with pytest.raises(ContentError):
        fetch_metadata(config, client=client_for(arxiv, clock))
    assert arxiv.requests == [] and config.metadata_file.read_text("utf-8").startswith('{"id": "2912.00101"\n')


def test_the_progress_bar_shows_on_a_terminal(tmp_path, arxiv, clock):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    config = load_config(write_site(tmp_path, {"many.md": many_papers(150)}))
    fetch_metadata(config, client=client_for(arxiv, clock), progress=ProgressLine(screen, delay=0))
    assert "fetching arXiv metadata [################........] 100/150" in screen.getvalue()
    assert screen.getvalue().endswith("150/150")


def test_the_command_line(tmp_path, arxiv, monkeypatch, capsys):
    write_site(tmp_path, {"sample.md": DIGEST})
    first = run(tmp_path, "fetch-metadata", "--api-url", arxiv.url)  # the installed command, as a site owner runs it
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert lines[-1] == "fetched 6 papers (1 unknown to arXiv) in 1 request into metadata/arxiv.jsonl"
    assert "seeds/sample.md:21: warning: arXiv does not know 2912.00199" in first.stderr
    monkeypatch.chdir(tmp_path)  # the rest in this process: the same main(), without starting Python each time

    def fetch(*args: str) -> tuple[int, str]:
        code = main(["fetch-metadata", *args])
        return code, capsys.readouterr().err

    done = "metadata/arxiv.jsonl has arXiv's answer for all 6 papers; nothing to fetch (--refresh asks again)\n"
    assert fetch("--api-url", arxiv.url) == (0, done) and len(arxiv.requests) == 1
    code, message = fetch("--api-url", "ftp://example.org/")
    assert code == 2 and "--api-url must be an http(s) URL" in message
    with pytest.raises(SystemExit) as both:
        main(["fetch-metadata", "--offline", "--refresh"])
    assert both.value.code == 2
    (tmp_path / "seeds" / "more.md").write_text(many_papers(2), "utf-8")
    code, message = fetch("--offline")
    assert message.endswith(
        "metadata/arxiv.jsonl has arXiv's answer for 6 of 8 papers; fetch-metadata without --offline asks about the "
        "other 2\n"
    )
    assert len(arxiv.requests) == 1
    code, message = fetch("--api-url", arxiv.url.replace("/api/query", "/nothing"))
    assert code == 4 and "refused the query: HTTP 404" in message


@pytest.mark.slow
def test_a_killed_run_resumes_where_it_stopped(tmp_path, arxiv):
    """A real SIGKILL while the second batch is on its way: the first batch is kept, and is not asked again."""
    write_site(tmp_path, {"many.md": many_papers(150)})
    second = threading.Event()
    arxiv.on_request = lambda request: second.set() if len(arxiv.requests) == 2 else None
    arxiv.faults = [("", 0), ("hold", 0)]
    process = subprocess.Popen([EXECUTABLE, "fetch-metadata", "--api-url", arxiv.url], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    assert second.wait(30)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    arxiv.faults = []
    resumed = run(tmp_path, "fetch-metadata", "--api-url", arxiv.url)
    assert resumed.returncode == 0, resumed.stderr
    assert [len(r.ids) for r in arxiv.requests] == [100, 50, 50]  # the last 50 asked twice: killed, then resumed
    assert set(arxiv.requests[2].ids) == {f"2912.{10000 + n}" for n in range(100, 150)}
    assert len(read_store(tmp_path / "metadata" / "arxiv.jsonl").records) == 150
