"""The dev server: serves the output folder, pushes reloads and build failures to open pages over SSE.

The reload script is injected into HTML responses only, never written to disk, so `build` output never
contains it. Requests resolve strictly inside the output folder; anything else is a 404.

The server is for one person's browser, and guarded as such: a request must name the server by a
loopback or configured host (a DNS-rebinding page names its own domain and gets 403), at most
MAX_CONNECTIONS connections are served at once (more are answered 503 at once, never given a thread),
and a connection idle for IDLE_TIMEOUT_SECONDS is closed.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import re
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from digestsite.errors import DigestsiteError

EVENTS_PATH = "/__digestsite/events"
KEEPALIVE_SECONDS = 10.0
IDLE_TIMEOUT_SECONDS = 20.0  # above KEEPALIVE_SECONDS, so an event stream's own writes never hit it
MAX_CONNECTIONS = 32
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

# Kept tiny and dependency-free; inlined so the page needs no extra request (see reload.js).
_RELOAD_JS = (Path(__file__).parent / "reload.js").read_text("utf-8")

_NO_SITE_YET = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>digestsite</title></head>
<body><p>No successful build yet: fix the errors shown below and save.</p></body></html>
"""


class ReloadHub:
    """What open pages listen to: the epoch of the last good build and the current failure, if any."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.version = 0
        self.epoch = 0
        self.error: list[str] | None = None
        self.closed = False

    def succeeded(self) -> None:
        with self._condition:
            self.epoch += 1
            self.error = None
            self.version += 1
            self._condition.notify_all()

    def failed(self, lines: list[str]) -> None:
        with self._condition:
            self.error = lines
            self.version += 1
            self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    def is_open(self) -> bool:
        with self._condition:
            return not self.closed

    def state(self) -> dict[str, object]:
        with self._condition:
            return self._state()

    def current(self) -> tuple[int, dict[str, object]]:
        """The version and state together, read under the lock so a build ending meanwhile cannot split them."""
        with self._condition:
            return self.version, self._state()

    def _state(self) -> dict[str, object]:
        return {"epoch": self.epoch, "error": self.error}

    def wait_for_change(self, seen_version: int, timeout: float) -> tuple[int, dict[str, object]] | None:
        """The next state after `seen_version`, or None on timeout or shutdown."""
        with self._condition:
            self._condition.wait_for(lambda: self.version != seen_version or self.closed, timeout=timeout)
            if self.closed or self.version == seen_version:
                return None
            return self.version, self._state()


def resolve_request_path(root: Path, url_path: str) -> tuple[Path | None, bool]:
    """The file a URL path names inside `root`, or None; the flag asks for a redirect to add a slash.

    Segments are checked after percent-decoding, so `..`, `%2e%2e`, encoded slashes, backslashes, NUL
    and absolute paths never climb out; the resolved path must stay inside `root`, so links cannot either.
    """
    decoded = unquote(url_path)
    if "\x00" in decoded or "\\" in decoded or not decoded.startswith("/"):
        return None, False
    segments = decoded.split("/")[1:]
    if any(segment in (".", "..") for segment in segments):
        return None, False
    real_root = root.resolve()
    candidate = real_root.joinpath(*[s for s in segments if s])
    if candidate.is_dir():
        if not decoded.endswith("/"):
            return candidate, True
        candidate = candidate / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, False
    if not real.is_relative_to(real_root) or not real.is_file():
        return None, False
    return real, False


def inject_reload_script(html: bytes, epoch: int) -> bytes:
    script = (
        f'<script data-digestsite-reload data-epoch="{epoch}" data-events="{EVENTS_PATH}">{_RELOAD_JS}</script>\n'
    ).encode()
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + script
    at = matches[-1].start()
    return html[:at] + script + html[at:]


def host_allowed(header: str | None, allowed_names: tuple[str, ...], port: int, any_ip: bool = False) -> bool:
    """Whether a Host header names this server: an allowed name (or, with `any_ip`, an IP address) and its port."""
    parts = _split_host(header or "")
    if parts is None or parts[1] != port:
        return False
    return parts[0] in allowed_names or (any_ip and _is_ip(parts[0]))


def _split_host(header: str) -> tuple[str, int] | None:
    """(name, port) of a Host header such as `localhost:8000` or `[::1]:8000`; the port defaults to 80."""
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        name, _, port = header.partition(":")
    if not name or (port and not port.isdigit()) or (not header.startswith("[") and ":" in port):
        return None
    return name, int(port) if port else 80


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class DevServer(ThreadingHTTPServer):
    """Holds its own root and hub (never on the handler class), one thread per connection, at most `max_connections`."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops connection attempts in a burst, to be retried a second later

    def __init__(
        self,
        host: str,
        port: int,
        root: Path,
        hub: ReloadHub,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.root = root
        self.hub = hub
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        try:
            super().__init__((host, port), DevRequestHandler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise DigestsiteError(f"port {port} on {host} is already in use; choose another with --port") from None
            raise DigestsiteError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.allowed_names = tuple(dict.fromkeys([*LOOPBACK_NAMES, host.lower().strip("[]")]))
        # Bound to every address, the server is reached by whatever address the machine has; a rebinding
        # attack needs a domain name, so any IP address is as safe as the loopback ones.
        self.any_ip = host in ("", "0.0.0.0", "::")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """A thread for the connection if a slot is free; otherwise 503 at once, from the accepting thread."""
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        try:
            request.settimeout(1.0)
            request.sendall(_BUSY)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client leaving mid-response is routine: quiet. Anything else gets one line, not a traceback."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            print(f"digestsite: error answering a request: {error!r}", file=sys.stderr)


class DevRequestHandler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # read by StreamRequestHandler.setup for the socket
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows one line per rebuild, not per request

    def do_HEAD(self) -> None:
        if self._host_allowed():
            self._serve(send_body=False)

    def do_GET(self) -> None:
        if not self._host_allowed():
            return
        if urlsplit(self.path).path == EVENTS_PATH:
            self._stream_events()
        else:
            self._serve(send_body=True)

    def _host_allowed(self) -> bool:
        """Answers 403 to a Host naming another server: a page on another domain rebound to this address."""
        server = self.server
        if host_allowed(self.headers.get("Host"), server.allowed_names, server.server_address[1], server.any_ip):
            return True
        body = b"403 Forbidden: this preview answers only to localhost, 127.0.0.1 or its --host\n"
        self.send_response(HTTPStatus.FORBIDDEN)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._write(body)
        return False

    def _serve(self, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        path, needs_slash = resolve_request_path(self.server.root, url_path)
        if needs_slash:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if path is None:
            status = HTTPStatus.NOT_FOUND
            fallback = self.server.root / "404.html"
            body = fallback.read_bytes() if fallback.is_file() else _NO_SITE_YET
            kind = "text/html"
        else:
            body = path.read_bytes()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = inject_reload_script(body, int(self.server.hub.state()["epoch"]))
        if kind.startswith("text/") or kind in ("application/json", "application/xml", "application/javascript"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self._write(body)

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except OSError:  # gone (broken pipe, reset) or stalled past the idle timeout
            return False

    def _stream_events(self) -> None:
        hub = self.server.hub
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        version, state = hub.current()
        message = f"retry: 500\nevent: state\ndata: {json.dumps(state)}\n\n"
        while hub.is_open() and self._write(message.encode("utf-8")):
            change = hub.wait_for_change(version, KEEPALIVE_SECONDS)
            if change is None:
                message = ": keep-alive\n\n"
                continue
            version, state = change
            message = f"event: state\ndata: {json.dumps(state)}\n\n"
