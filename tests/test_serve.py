"""`digestsite serve` over real HTTP on loopback: reload events, failures, safety, and incremental output."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devserver import dev_server
from digestsite.commands.build import build
from digestsite.commands.serve import SessionBuilder
from digestsite.config import load_config
from digestsite.devserver.http import MAX_CONNECTIONS, DevServer, ReloadHub, resolve_request_path
from helpers import EXECUTABLE, JAMBA, REPO, edit, get, run, snapshot, write_site
from htmldom import parse_html


class EventStream:
    """Reads the server-sent `state` events a page would receive."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        self.connection.request("GET", "/__digestsite/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next_state(self) -> dict:
        while True:
            line = self.response.fp.readline().decode("utf-8")
            assert line, "event stream closed"
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])

    def close(self) -> None:
        self.connection.close()


def test_serves_pages_with_the_reload_script_that_build_output_never_contains(bundled_site):
    root = bundled_site.parent
    with dev_server(root) as server:
        status, body = get(server.url, "/papers/2403.19887/")
        assert status == 200 and b"/__digestsite/events" in body
        assert server.url.startswith("http://127.0.0.1:")
    assert run(root, "build").returncode == 0
    for path in (root / "_site").rglob("*"):
        if path.is_file():
            assert b"__digestsite" not in path.read_bytes(), path


def test_edit_pushes_a_reload_and_the_page_shows_the_new_title(bundled_site):
    root = bundled_site.parent
    with dev_server(root) as server:
        events = EventStream(server.url)
        first = events.next_state()
        assert first["error"] is None
        edit(root / "seeds" / JAMBA, "Jamba：混合", "Jamba：全新混合")
        state = events.next_state()  # how soon: benchmarks/reload_latency.py
        assert state["epoch"] == first["epoch"] + 1
        _, body = get(server.url, "/papers/2403.19887/")
        assert (
            parse_html(body.decode()).find("p", class_="title-zh").text()
            == "Jamba：全新混合 Transformer-Mamba 语言模型"
        )
        line = server.wait_for_line(r"rebuilt")
        assert line.startswith(f"seeds/{JAMBA}: rebuilt, ") and line.endswith(" ms")
        pages = int(line.split(", ")[1].split()[0])
        assert 0 < pages < 60  # its batch, its papers, home, archive and neighbours; not all 126
        events.close()


def test_broken_digest_reports_file_and_line_keeps_last_good_site_and_recovers(bundled_site):
    root = bundled_site.parent
    with dev_server(root) as server:
        events = EventStream(server.url)
        good = events.next_state()
        _, before = get(server.url, "/papers/2403.19887/")
        broken = root / "seeds" / "009_broken.md"
        broken.write_text(
            "# Fine\n[好](https://arxiv.org/abs/2407.00001)\n\n摘要。\n\n# Broken\n[坏](https://arxiv.org/abs/2413.00001)\n"
        )
        failed = events.next_state()
        assert failed["epoch"] == good["epoch"]
        assert failed["error"] == [
            "seeds/009_broken.md:7: error: link 'https://arxiv.org/abs/2413.00001' has a malformed arXiv ID"
        ]
        assert get(server.url, "/papers/2403.19887/") == (200, before)
        assert get(server.url, "/papers/2407.00001/")[0] == 404
        server.wait_for_line(r"rebuild failed in \d+ ms; still serving the last good site")
        broken.unlink()
        recovered = events.next_state()
        assert recovered == {"epoch": good["epoch"] + 1, "error": None}
        events.close()


@pytest.mark.parametrize(
    "path",
    [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2f..%2fetc/passwd",
        "/papers/..%5c..%5c..%5cetc/passwd",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/index.html%00.css",
        "/etc/passwd",
    ],
)
def test_traversal_attempts_get_404(bundled_site, path):
    with dev_server(bundled_site.parent) as server:
        status, body = get(server.url, path)
        assert status == 404
        assert b"root:" not in body and b"languages:" not in body


def test_symlinks_out_of_the_output_are_not_served(tmp_path):
    root = tmp_path / "out"
    (root / "papers").mkdir(parents=True)
    (root / "index.html").write_text("home", "utf-8")
    (tmp_path / "secret.txt").write_text("secret", "utf-8")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "papers" / "up").symlink_to(tmp_path)
    (root / "alias.html").symlink_to(root / "index.html")
    assert resolve_request_path(root, "/leak.txt") == (None, False)
    assert resolve_request_path(root, "/papers/up/secret.txt") == (None, False)
    assert resolve_request_path(root, "/alias.html") == ((root / "index.html").resolve(), False)
    assert resolve_request_path(root, "/papers") == ((root / "papers").resolve(), True)


def test_port_in_use_exits_2_with_a_clear_message(bundled_site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(bundled_site.parent, "serve", "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use; choose another with --port" in result.stderr


def test_ctrl_c_stops_within_two_seconds_with_exit_0(bundled_site):
    with dev_server(bundled_site.parent) as server:
        started = time.monotonic()
        server.process.send_signal(signal.SIGINT)
        code = server.process.wait(timeout=5)
        assert code == 0 and time.monotonic() - started < 2.0


def test_editor_temp_files_do_not_trigger_rebuilds(bundled_site):
    seeds = bundled_site.parent / "seeds"
    with dev_server(bundled_site.parent) as server:
        for name in (".000.md.swp", "000.md~", ".#000.md", "4913"):
            (seeds / name).write_text("# x\n", "utf-8")
        with pytest.raises(AssertionError):
            server.wait_for_line(r"rebuil", timeout=1.0)


def test_binds_to_loopback_by_default(bundled_site):
    with dev_server(bundled_site.parent) as server:
        assert urlsplit(server.url).hostname == "127.0.0.1"


def full_build_snapshot(config_file: Path, out: Path, base_url: str) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    build(load_config(config_file, {"output": str(out), "base_url": base_url}))
    result = snapshot(out)
    shutil.rmtree(out)
    return result


@pytest.mark.slow  # thirty seconds of rebuilds: the slow run keeps it
def test_incremental_output_equals_a_full_build_after_every_kind_of_change(bundled_site, tmp_path):
    root = bundled_site.parent
    served = tmp_path / "served"
    base_url = "http://127.0.0.1:8000/"
    builder = SessionBuilder(bundled_site, served, {"base_url": base_url})
    seeds = root / "seeds"

    def check(expect_full: bool) -> int:
        result = builder.rebuild()
        assert result.in_place is not expect_full
        assert snapshot(served) == full_build_snapshot(bundled_site, tmp_path / "full", base_url)
        return result.pages

    check(expect_full=True)
    edit(seeds / JAMBA, "我们推出了 Jamba", "我们隆重推出了 Jamba")
    assert check(expect_full=False) < 60
    edit(seeds / JAMBA, "# Gecko: Versatile", "# Gecko 2: Versatile")
    check(expect_full=False)
    (seeds / "005_new.md").write_text("# New One\n[新](https://arxiv.org/abs/2407.00001)\n\n新的摘要。\n", "utf-8")
    check(expect_full=False)
    (seeds / "005_new.md").unlink()
    check(expect_full=False)
    (seeds / "001_1bbfa1e29201756a.txt").unlink()
    check(expect_full=False)
    assert builder.rebuild().pages == 0
    templates = root / "templates"
    shutil.copytree(REPO / "templates", templates)
    edit(templates / "base.html", '<main id="main" class="wrap">', '<main id="main" class="wrap wide">')
    check(expect_full=False)  # every page changes, but 96 pages is under the staging threshold
    edit(bundled_site, "AI Paper Digest", "AI Papers Weekly")
    check(expect_full=False)


def test_serve_help_lists_the_contract_options():
    result = subprocess.run([EXECUTABLE, "serve", "--help"], capture_output=True, text=True)
    for option in ("--config", "--host", "--port", "--open"):
        assert option in result.stdout


def test_serve_prints_the_first_builds_warnings_then_only_new_ones(bundled_site):
    root = bundled_site.parent
    with dev_server(root) as server:
        assert any(":27: warning: 'Parrot" in line for line in server.seen)  # before "serving …"
        untitled = "# No Title Yet\nhttps://arxiv.org/abs/2401.09999\n\n摘要。\n\n"
        edit(root / "seeds" / JAMBA, "# Jamba:", untitled + "# Jamba:")
        warning = server.wait_for_line(r"warning: ")
        assert "'No Title Yet' has no Chinese title" in warning
        rebuilt = server.wait_for_line(r"rebuilt")
        between = server.seen[server.seen.index(warning) : server.seen.index(rebuilt)]
        assert not any("Parrot" in line for line in between)  # an old warning is not repeated


@contextmanager
def small_server(root: Path, **options: float) -> Iterator[DevServer]:
    """The dev server's HTTP side in this process, over real loopback sockets, serving `root`."""
    (root / "index.html").write_text("<!doctype html><html><body><p>hi</p></body></html>", "utf-8")
    server = DevServer("127.0.0.1", 0, root, ReloadHub(), **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.hub.close()
        server.shutdown()
        server.server_close()


def status_for_host(server: DevServer, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    connection.request("GET", "/", headers={"Host": host})
    status = connection.getresponse().status
    connection.close()
    return status


def test_requests_naming_another_host_get_403(tmp_path):
    with small_server(tmp_path) as server:
        port = server.server_address[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
            assert status_for_host(server, host) == 200, host
        for host in (f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "127.0.0.1:1", "localhost", ""):
            assert status_for_host(server, host) == 403, host


def test_an_idle_connection_is_closed_after_the_idle_timeout(tmp_path):
    with small_server(tmp_path, idle_timeout=0.5) as server:
        idle = socket.create_connection(server.server_address[:2], timeout=10)
        idle.sendall(b"GET / HTTP/1.1\r\n")  # and never the rest
        started = time.monotonic()
        assert idle.recv(1024) == b""  # closed by the server
        assert 0.4 < time.monotonic() - started < 5
        idle.close()


def test_connections_past_the_limit_get_503_without_a_thread(tmp_path):
    with small_server(tmp_path, idle_timeout=30, max_connections=4) as server:
        before = threading.active_count()
        held = [socket.create_connection(server.server_address[:2], timeout=10) for _ in range(4)]
        deadline = time.monotonic() + 5
        while threading.active_count() < before + 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        extra = [socket.create_connection(server.server_address[:2], timeout=10) for _ in range(20)]
        for connection in extra:
            assert connection.recv(1024).startswith(b"HTTP/1.1 503 ")
        assert threading.active_count() == before + 4
        for connection in held + extra:
            connection.close()
        deadline = time.monotonic() + 5
        while status_for_host(server, f"127.0.0.1:{server.server_address[1]}") != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_serve_keeps_its_threads_bounded_under_hundreds_of_idle_connections(tmp_path):
    write_site(tmp_path, {"a.md": "# T\n[标题](https://arxiv.org/abs/2401.00001)\n\n摘要。\n"})
    with dev_server(tmp_path) as server:
        parts = urlsplit(server.url)
        status = Path(f"/proc/{server.process.pid}/status")
        threads = lambda: int(re.search(r"^Threads:\s+(\d+)", status.read_text(), re.M).group(1))  # noqa: E731
        baseline = threads()
        held = [socket.create_connection((parts.hostname, parts.port), timeout=10) for _ in range(300)]
        time.sleep(1.0)
        assert threads() <= baseline + MAX_CONNECTIONS
        for connection in held:
            connection.close()
        assert get(server.url, "/")[0] == 200
