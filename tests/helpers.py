"""Helpers shared by the test modules: site folders on disk, output snapshots, the installed command."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
EXECUTABLE = shutil.which("digestsite", path=str(Path(sys.executable).parent)) or shutil.which("digestsite")


def write_site(root: Path, seeds: dict[str, str | bytes], config: str = "") -> Path:
    """A site folder with the given digest files and site.yaml text; returns its site.yaml."""
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    for name, content in seeds.items():
        path = root / "seeds" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    config_file = root / "site.yaml"
    config_file.write_text(config or "languages: [zh, en]\n", "utf-8")
    return config_file


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its relative path, for byte-for-byte comparisons of whole sites."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed `digestsite` command; it must never print a traceback."""
    assert EXECUTABLE, "the digestsite console script is not installed"
    result = subprocess.run([EXECUTABLE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in result.stderr + result.stdout
    return result


HOSTILE = (
    "# <script>alert('t')</script></title><img src=x onerror=alert(1)>\n"
    "[<svg onload=alert(2)>中文</svg>](https://arxiv.org/abs/2401.00009)\n\n"
    "<script>alert(3)</script><iframe src=//evil.example></iframe> 摘要 ]]> --> </script>\n"
)


SUBPATH = "/digest/"


class PagesLikeHandler(SimpleHTTPRequestHandler):
    """Serves the output under SUBPATH only; anything missing gets 404.html with status 404, as GitHub Pages does."""

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = urlsplit(self.path).path
        if not path.startswith(SUBPATH):
            self.send_error(404)
            return None
        self.path = "/" + path[len(SUBPATH) :]
        local = Path(self.translate_path(self.path))
        if local.is_file() or (local.is_dir() and (local / "index.html").is_file()):
            return super().send_head()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)


JAMBA = "000_9dc9e78c6ea22407.txt"


def get(url: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)  # sent as-is: no client-side normalisation of `..`
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def alias_bomb(levels: int, name: str = "a") -> str:
    """YAML anchors `a0` … `a{levels-1}`, each a list of nine aliases of the one before: 9**levels items expanded."""
    lines = [f"{name}0: &{name}0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"{name}{level}: &{name}{level} [" + ", ".join([f"*{name}{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"
