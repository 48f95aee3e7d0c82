"""The `digestsite` command: parse arguments, call a command function, turn failures into exit codes."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from digestsite import __version__
from digestsite.cache.records import load_file_hashes, reusable_build
from digestsite.config import Config, display_path, load_config
from digestsite.content.model import Diagnostic, failing_diagnostics
from digestsite.errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, ConfigError, ContentError, DigestsiteError

# Rendering, serving and deploying pull in Jinja, markdown-it, watchdog and more: each command imports
# what it needs when it runs, so `build` on an unchanged site answers in a fraction of a second.


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("site.yaml"), help="site settings (default: site.yaml)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digestsite", description="Publish AI-paper digests as a static website.")
    parser.add_argument("--version", action="version", version=f"digestsite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    _add_config(build_cmd)
    build_cmd.add_argument("--output", help="output folder (default: site.yaml's output, else _site)")
    build_cmd.add_argument("--base-url", help="absolute URL the site is published at")
    build_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    build_cmd.add_argument("--quiet", action="store_true", help="print errors only")
    build_cmd.add_argument("--local", action="store_true", help="link index.html files explicitly, for file://")
    build_cmd.add_argument("--no-cache", action="store_true", help="build even if nothing changed since the last build")
    build_cmd.add_argument("--timings", action="store_true", help="print how long each build stage took")

    check_cmd = commands.add_parser("check", help="report problems in the digest files without building")
    _add_config(check_cmd)
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    check_cmd.add_argument(
        "--explain", metavar="FILE", type=Path, help="show what the parser recognised in one digest file"
    )

    serve_cmd = commands.add_parser("serve", help="preview the site, rebuilding and reloading on every change")
    _add_config(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)"
    )
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")

    new_cmd = commands.add_parser("new", help="create a new digest site in an empty folder")
    new_cmd.add_argument("directory", type=Path, help="folder to create (must be absent or empty)")

    deploy_cmd = commands.add_parser("deploy", help="build and push the site to a gh-pages branch")
    _add_config(deploy_cmd)
    deploy_cmd.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy_cmd.add_argument("--branch", default="gh-pages", help="branch to publish (default: gh-pages)")
    deploy_cmd.add_argument("--message", help="commit message")
    deploy_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    return parser


def _print_diagnostics(diagnostics: Sequence[Diagnostic], errors_only: bool = False) -> None:
    for diagnostic in diagnostics:
        if not errors_only or diagnostic.severity == "error":
            print(diagnostic.format(), file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    config = load_config(args.config, {"output": args.output, "base_url": args.base_url})
    inputs, hashes = "", None
    if not args.no_cache:
        hashes = load_file_hashes(config)
        inputs, reused = reusable_build(config, args.local, args.strict, hashes)
        if reused is not None:
            _print_diagnostics(reused, errors_only=args.quiet)
            if not args.quiet:
                elapsed = (time.perf_counter() - started) * 1000
                print(f"{display_path(config.output_dir)} is up to date ({elapsed:.0f} ms)", file=sys.stderr)
            return EXIT_OK
    from digestsite.commands.build import build

    result = build(
        config, strict=args.strict, local=args.local, use_cache=not args.no_cache, inputs=inputs, hashes=hashes
    )
    _print_diagnostics(result.diagnostics, errors_only=args.quiet)
    if not args.quiet:
        print(
            f"built {result.papers} papers in {result.batches} batches: {result.pages} pages, "
            f"{result.files} files in {display_path(result.output_dir)} ({result.seconds * 1000:.0f} ms)",
            file=sys.stderr,
        )
    if args.timings:
        stages = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in result.stages.items())
        print(f"stages: {stages}", file=sys.stderr)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    if args.explain is not None:
        return _explain(args.explain)
    from digestsite.site.assemble import load_site

    config: Config = load_config(args.config)
    site = load_site(config)
    failing = failing_diagnostics(site.diagnostics, args.strict)
    if args.format == "json":
        report = {
            "ok": not failing,
            "papers": len(site.papers),
            "batches": len(site.batches),
            "diagnostics": [d.as_dict() for d in site.diagnostics],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_diagnostics(site.diagnostics)
        errors = sum(1 for d in site.diagnostics if d.severity == "error")
        warnings = len(site.diagnostics) - errors
        print(
            f"{len(site.papers)} papers in {len(site.batches)} batches: {errors} errors, {warnings} warnings",
            file=sys.stderr,
        )
    return EXIT_CONTENT if failing else EXIT_OK


def _explain(path: Path) -> int:
    from digestsite.content.explain import explain

    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{path}: error: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    report = explain(data, str(path))
    print(report, end="")
    return EXIT_CONTENT if ": error: " in report else EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from digestsite.commands.new import create_site

    written = create_site(args.directory)
    print(
        f"created {len(written)} files in {args.directory}; next: cd {args.directory} && digestsite build",
        file=sys.stderr,
    )
    return EXIT_OK


def run_deploy(args: argparse.Namespace) -> int:
    from digestsite.commands.build import build
    from digestsite.commands.deploy import deploy_folder, repository_root

    config = load_config(args.config)
    repo = repository_root(config.root)
    with tempfile.TemporaryDirectory(prefix="digestsite-deploy-") as scratch:
        staged = replace(config, output_dir=Path(scratch) / "site")
        result = build(staged, strict=args.strict, use_cache=False)
        _print_diagnostics(result.diagnostics)
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        source = head.stdout.strip() or "working tree"
        message = args.message or f"Deploy {source} with digestsite {__version__}"
        deployed = deploy_folder(staged.output_dir, repo, args.remote, args.branch, message)
    if deployed.changed:
        print(f"pushed {deployed.commit[:12]} to {args.remote}/{args.branch}", file=sys.stderr)
    else:
        print(f"{args.remote}/{args.branch} is already up to date; nothing pushed", file=sys.stderr)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from digestsite.commands.serve import serve

    if not 0 <= args.port <= 65535:
        raise DigestsiteError(f"--port must be between 0 and 65535, not {args.port}")
    return serve(args.config, args.host, args.port, args.open)


COMMANDS = {"build": run_build, "check": run_check, "serve": run_serve, "new": run_new, "deploy": run_deploy}


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
        print(f"digestsite: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def entry_point() -> None:
    sys.exit(main())
