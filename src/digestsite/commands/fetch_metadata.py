"""`digestsite fetch-metadata`: ask the arXiv API about every paper of the site that has no stored metadata.

What arrives is appended to `metadata/arxiv.jsonl` batch by batch, so an interrupted run resumes where it
stopped; the file is rewritten sorted at the end. IDs arXiv does not know, withdrawn papers and arXiv
titles unlike the digest's (a typo in the ID?) are reported as `path:line: warning:` lines at the paper.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from digestsite.config import Config, display_path
from digestsite.content.model import Diagnostic, Paper, Severity
from digestsite.errors import ContentError
from digestsite.messages import counted
from digestsite.metadata.client import ArxivClient, FetchError, batches
from digestsite.metadata.record import ArxivRecord
from digestsite.metadata.store import append_records, read_store, store_text, write_store
from digestsite.site.assemble import assemble_site
from digestsite.site.sources import read_sources

Progress = Callable[[str, int, int], None]
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class FetchReport:
    """What a run did: papers asked about, how many arXiv did not know, requests made, and the papers of
    the site with and without stored metadata afterwards."""

    asked: int
    unknown: int
    requests: int
    stored: int
    missing: int


def fetch_metadata(
    config: Config,
    *,
    refresh: bool = False,
    offline: bool = False,
    client: ArxivClient | None = None,
    progress: Progress | None = None,
    warn: Callable[[Diagnostic], None] = lambda diagnostic: None,
) -> FetchReport:
    """Fetch what is missing (everything with `refresh`; nothing with `offline`) into the metadata file."""
    path = config.metadata_file
    stored = read_store(path)
    errors = [d for d in stored.diagnostics if d.severity is Severity.ERROR]
    if errors:  # rewriting the file would lose the lines that cannot be read: the owner mends them first
        raise ContentError(errors)
    for diagnostic in stored.diagnostics:
        warn(diagnostic)
    records = dict(stored.records)
    if path.is_file() and path.read_bytes() != store_text(records.values()).encode("utf-8"):
        write_store(path, records.values())  # sorted, and without a line a killed run cut short
    papers = {p.arxiv_id: p for p in assemble_site(config, read_sources(config.seeds_dir)).papers}
    wanted = sorted(i for i in papers if refresh or i not in records)
    if offline or not wanted:
        return FetchReport(0, 0, 0, len(papers) - len(wanted), len(wanted))
    client = client or ArxivClient()
    done = 0
    try:
        for batch in batches(wanted):
            answers = client.fetch(batch)
            append_records(path, answers.values())
            records.update(answers)
            for arxiv_id, record in answers.items():
                for diagnostic in _findings(papers[arxiv_id], record):
                    warn(diagnostic)
            done += len(batch)
            if progress is not None:
                progress("fetching arXiv metadata", done, len(wanted))
    except FetchError as exc:
        if not done:
            raise
        kept = f"{counted(done, 'paper')} fetched before are saved in {display_path(path)}"
        raise FetchError(f"{exc}; the {kept}, and the next run asks only about the rest") from None
    finally:
        if done:
            write_store(path, records.values())
    unknown = sum(1 for i in wanted if not records[i].found)
    return FetchReport(len(wanted), unknown, client.requests, len(papers), 0)


def _findings(paper: Paper, record: ArxivRecord) -> list[Diagnostic]:
    """What the site owner should look at: an ID arXiv does not know, a withdrawn paper, another title."""
    source = paper.source

    def warning(message: str) -> Diagnostic:
        return Diagnostic(source.path, source.line, Severity.WARNING, message)

    if not record.found:
        return [warning(f"arXiv does not know {paper.arxiv_id} (a typo in the ID, or a removed paper)")]
    found = []
    if record.withdrawn:
        note = record.comment or record.abstract
        found.append(warning(f"arXiv {paper.arxiv_id} is withdrawn: {Diagnostic.clean(note, 160)}"))
    if not _same_title(paper.title, record.title):
        message = (
            f"arXiv's title for {paper.arxiv_id} is '{record.title}', the digest's '{paper.title}': is the ID right?"
        )
        found.append(warning(message))
    return found


def _same_title(digest: str, arxiv: str) -> bool:
    """Whether two titles share most words: a digest may shorten a title (`Jamba`), not change it."""
    ours, theirs = set(_WORD.findall(digest.lower())), set(_WORD.findall(arxiv.lower()))
    if not ours or not theirs:
        return True  # a title in Chinese only: nothing to compare
    return len(ours & theirs) >= 0.5 * min(len(ours), len(theirs))


def describe(report: FetchReport, config: Config, offline: bool) -> str:
    """The closing line on the terminal."""
    where = display_path(config.metadata_file)
    papers = counted(report.stored + report.missing, "paper")
    if not report.asked and not report.missing:
        again = "" if offline else "; nothing to fetch (--refresh asks again)"
        return f"{where} has arXiv's answer for all {papers}{again}"
    if offline:
        return (
            f"{where} has arXiv's answer for {report.stored:,} of {papers}; "
            f"fetch-metadata without --offline asks about the other {report.missing:,}"
        )
    unknown = f" ({report.unknown:,} unknown to arXiv)" if report.unknown else ""
    return f"fetched {counted(report.asked, 'paper')}{unknown} in {counted(report.requests, 'request')} into {where}"
