"""The `digestsite` command: parse arguments, call a command function, turn failures into exit codes."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from digestsite import __version__
from digestsite.config import display_path, load_config
from digestsite.content.model import Diagnostic, Severity
from digestsite.errors import EXIT_FILESYSTEM, EXIT_OK, ConfigError, ContentError, DigestsiteError
from digestsite.messages import ProgressLine, counted
from digestsite.metadata import API_URL

# Rendering, serving and deploying pull in Jinja, markdown-it, watchdog and more: each command imports
# what it needs when it runs, so `build` on an unchanged site answers in a fraction of a second.


EXAMPLES = """\
examples:
  digestsite new my-digest             a new site: site.yaml, a sample digest, a Pages workflow
  digestsite check                     list problems in seeds/ as file:line: severity: message
  digestsite serve --open              preview at http://127.0.0.1:8000/, rebuilt on every save
  digestsite build                     build into _site/ (only what changed since the last build)
  digestsite build --local             a site that also works opened from disk (file://)
  digestsite fetch-metadata            authors, dates, categories and abstracts from arXiv
  digestsite deploy                    build and push to the gh-pages branch
"""


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("site.yaml"), help="site settings (default: site.yaml)")


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    group.add_argument("-v", "--verbose", action="store_true", help="also print how long each stage took")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestsite",
        description="Publish AI-paper digests as a fast, bilingual, static website.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digestsite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
            epilog="examples:\n" + examples, formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip

    build_cmd = command("build", "build the site into the output folder", BUILD_EXAMPLES)
    _add_config(build_cmd)
    build_cmd.add_argument("--output", help="output folder (default: site.yaml's output, else _site)")
    build_cmd.add_argument("--base-url", help="absolute URL the site is published at")
    build_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    _add_verbosity(build_cmd)
    build_cmd.add_argument("--local", action="store_true", help="link index.html files explicitly, for file://")
    build_cmd.add_argument("--no-cache", action="store_true", help="build from scratch and keep no build cache")
    build_cmd.add_argument("--timings", action="store_true", help="print how long each build stage took")
    build_cmd.add_argument(
        "--no-wait", action="store_true", help="fail at once if another build is writing the output, instead of waiting"
    )

    check_cmd = command("check", "report problems in the digest files without building", CHECK_EXAMPLES)
    _add_config(check_cmd)
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    check_cmd.add_argument(
        "--explain", metavar="FILE", type=Path, help="show what the parser recognised in one digest file"
    )

    serve_cmd = command("serve", "preview the site, rebuilding and reloading on every change", SERVE_EXAMPLES)
    _add_config(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)"
    )
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")

    new_cmd = command("new", "create a new digest site in an empty folder", NEW_EXAMPLES)
    new_cmd.add_argument("directory", type=Path, help="folder to create (must be absent or empty)")
    new_cmd.add_argument(
        "--install", metavar="SPEC",
        help="what the site's Pages workflow installs (a pip requirement); default: this digestsite's version",
    )  # fmt: skip

    fetch_cmd = command(
        "fetch-metadata", "fetch authors, dates, categories and abstracts of the site's papers from arXiv",
        FETCH_EXAMPLES,
    )  # fmt: skip
    _add_config(fetch_cmd)
    network = fetch_cmd.add_mutually_exclusive_group()
    network.add_argument("--refresh", action="store_true", help="fetch every paper again, not only the new ones")
    network.add_argument(
        "--offline", action="store_true", help="touch no network: tidy the file and say which papers have no metadata"
    )
    fetch_cmd.add_argument(
        "--api-url", metavar="URL", default=API_URL,
        help=f"a server that speaks the arXiv API (a mirror, a test server); default: {API_URL}",
    )  # fmt: skip
    fetch_cmd.add_argument("-q", "--quiet", action="store_true", help="print errors only")

    deploy_cmd = command("deploy", "build and push the site to a gh-pages branch", DEPLOY_EXAMPLES)
    _add_config(deploy_cmd)
    deploy_cmd.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy_cmd.add_argument("--branch", default="gh-pages", help="branch to publish (default: gh-pages)")
    deploy_cmd.add_argument("--message", help="commit message")
    deploy_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    deploy_cmd.add_argument(
        "--force", action="store_true", help="publish to a branch even if deploy did not make its commits"
    )
    return parser


BUILD_EXAMPLES = """\
  digestsite build                     build into _site/, reusing what has not changed
  digestsite build --strict -q         fail on warnings too, print errors only (for CI)
  digestsite build --local             links that work when the site is opened from disk
  digestsite build --base-url https://me.github.io/digest/ --output public
"""
CHECK_EXAMPLES = """\
  digestsite check                     every problem, as file:line: severity: message
  digestsite check --strict            exit 1 on warnings too
  digestsite check --format json       a report for scripts
"""
SERVE_EXAMPLES = """\
  digestsite serve                     http://127.0.0.1:8000/, rebuilt and reloaded on every save
  digestsite serve --port 0 --open     any free port, opened in a browser
"""
NEW_EXAMPLES = """\
  digestsite new my-digest             then: cd my-digest && digestsite serve
  digestsite new my-digest --install 'digestsite @ git+https://github.com/OWNER/REPO@COMMIT'
"""
FETCH_EXAMPLES = """\
  digestsite fetch-metadata            fetch what metadata/arxiv.jsonl lacks (3 s between requests)
  digestsite fetch-metadata --refresh  fetch every paper again (new versions, a venue in the comment)
  digestsite fetch-metadata --offline  which papers have no metadata yet, without the network
"""
DEPLOY_EXAMPLES = """\
  digestsite deploy                    build and push to origin/gh-pages
  digestsite deploy --branch pages --message "Issue 12"
"""


def _print_diagnostics(diagnostics: Sequence[Diagnostic], errors_only: bool = False) -> None:
    for diagnostic in diagnostics:
        if not errors_only or diagnostic.severity is Severity.ERROR:
            print(diagnostic.format(), file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    from digestsite.cache.build_cache import DiskCache, NoCache
    from digestsite.commands.build import BuildOptions, build

    config = load_config(args.config, {"output": args.output, "base_url": args.base_url})
    cache = NoCache() if args.no_cache else DiskCache(config)
    progress = ProgressLine(enabled=not args.quiet)

    def busy() -> None:
        print(f"waiting for another build of {display_path(config.output_dir)} to finish…", file=sys.stderr, flush=True)

    options = BuildOptions(local=args.local)
    try:
        result = build(
            config, strict=args.strict, options=options, cache=cache, progress=progress,
            busy=None if args.no_wait else busy,
        )  # fmt: skip
    finally:
        progress.clear()
    _print_diagnostics(result.diagnostics, errors_only=args.quiet)
    if args.quiet:
        return EXIT_OK
    took = f"{result.seconds * 1000:,.0f} ms"
    if result.up_to_date:
        print(f"{display_path(config.output_dir)} is up to date ({took})", file=sys.stderr)
        return EXIT_OK
    how = "updated in place" if result.in_place else "built"
    print(
        f"{how} {counted(result.papers, 'paper')} in {counted(result.batches, 'batch')}: "
        f"{counted(result.pages, 'page')} written, {counted(result.files, 'file')} in "
        f"{display_path(result.output_dir)} ({took})",
        file=sys.stderr,
    )
    if args.timings or args.verbose:
        stages = ", ".join(f"{name} {seconds * 1000:,.0f} ms" for name, seconds in result.stages.items())
        print(f"stages: {stages}", file=sys.stderr)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from digestsite.commands.check import check, explain_file

    if args.explain is not None:
        return explain_file(args.explain)
    return check(load_config(args.config), strict=args.strict, output_format=args.format)


def run_new(args: argparse.Namespace) -> int:
    from digestsite.commands.new import create_site

    written = create_site(args.directory, args.install)
    print(
        f"created {counted(len(written), 'file')} in {args.directory}; next: cd {args.directory} && digestsite serve",
        file=sys.stderr,
    )
    return EXIT_OK


def run_deploy(args: argparse.Namespace) -> int:
    from digestsite.commands.build import build
    from digestsite.commands.deploy import check_branch_name, deploy_folder, repository_root

    config = load_config(args.config)
    repo = repository_root(config.root)
    check_branch_name(repo, args.branch)  # before a build that a bad name would waste
    with tempfile.TemporaryDirectory(prefix="digestsite-deploy-") as scratch:
        staged = replace(config, output_dir=Path(scratch) / "site")
        result = build(staged, strict=args.strict)
        _print_diagnostics(result.diagnostics)
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        source = head.stdout.strip() or "working tree"
        message = args.message or f"Deploy {source} with digestsite {__version__}"
        deployed = deploy_folder(staged.output_dir, repo, args.remote, args.branch, message, force=args.force)
    if deployed.changed:
        print(f"pushed {deployed.commit[:12]} to {args.remote}/{args.branch}", file=sys.stderr)
    else:
        print(f"{args.remote}/{args.branch} is already up to date; nothing pushed", file=sys.stderr)
    if not deployed.local_updated:
        print(f"local branch '{args.branch}' is checked out in a worktree and was left as it was", file=sys.stderr)
    if deployed.replaced:
        print(
            f"local branch '{args.branch}' was at {deployed.replaced[:12]}; "
            f"recover it with `git branch NAME {deployed.replaced[:12]}`",
            file=sys.stderr,
        )
    return EXIT_OK


def run_fetch_metadata(args: argparse.Namespace) -> int:
    from digestsite.commands.fetch_metadata import describe, fetch_metadata
    from digestsite.metadata.client import ArxivClient

    if not re.fullmatch(r"https?://[^\s/?#]+[^\s?#]*", args.api_url):
        raise DigestsiteError(f"--api-url must be an http(s) URL such as {API_URL}, not {args.api_url!r}")
    config = load_config(args.config)
    progress = ProgressLine(enabled=not args.quiet)

    def warn(diagnostic: Diagnostic) -> None:
        if not args.quiet:
            progress.clear()
            print(diagnostic.format(), file=sys.stderr)

    try:
        report = fetch_metadata(
            config, refresh=args.refresh, offline=args.offline, client=ArxivClient(args.api_url),
            progress=progress, warn=warn,
        )  # fmt: skip
    finally:
        progress.clear()
    if not args.quiet:
        print(describe(report, config, args.offline), file=sys.stderr)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from digestsite.commands.serve import serve

    if not 0 <= args.port <= 65535:
        raise DigestsiteError(f"--port must be between 0 and 65535, not {args.port}")
    return serve(args.config, args.host, args.port, args.open)


COMMANDS = {
    "build": run_build,
    "check": run_check,
    "serve": run_serve,
    "new": run_new,
    "deploy": run_deploy,
    "fetch-metadata": run_fetch_metadata,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ContentError as exc:
        _print_diagnostics(exc.diagnostics, errors_only=getattr(args, "quiet", False))
        print(f"digestsite: {exc}; nothing was written", file=sys.stderr)
        return exc.exit_code
    except ConfigError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        return exc.exit_code
    except DigestsiteError as exc:
        print(f"digestsite: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if os.environ.get("DIGESTSITE_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"digestsite: error: {where}{exc.strerror or exc}; the previous output is unchanged", file=sys.stderr)
        return EXIT_FILESYSTEM


def entry_point() -> None:
    sys.exit(main())
