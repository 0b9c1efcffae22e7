"""`svadvisor serve`, the real console script in a pseudo-terminal: it says where it is,
serves the page with its headers, warns off loopback, and stops cleanly on Ctrl+C."""

from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pexpect
import pytest
from tests.cli.test_assess_answers_options import svadvisor_script

from svadvisor.web.secret import ENVIRONMENT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn(*args: str, cwd: Path, **extra_env: str) -> pexpect.spawn:
    env = {**os.environ, ENVIRONMENT: "serve-test-" + "k" * 40, "NO_COLOR": "1", **extra_env}
    return pexpect.spawn(
        svadvisor_script(), list(args), cwd=str(cwd), env=env, encoding="utf-8", timeout=60
    )


def get(url: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_serve_listens_on_loopback_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    child = spawn("serve", "--port", str(port), cwd=tmp_path)
    child.expect_exact(f"svadvisor is at http://127.0.0.1:{port}/")
    status, headers, body = get(f"http://127.0.0.1:{port}/")
    assert status == 200
    assert "Social value route advisor" in body
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "server" not in {name.lower() for name in headers}, "no server banner"
    assert get(f"http://127.0.0.1:{port}/", host="evil.example")[0] == 400
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert "Traceback" not in (child.before or "")
    assert child.exitstatus in (0, 130), "stopped by Ctrl+C, as a terminal program is"


def test_serve_warns_when_not_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    child = spawn("serve", "--host", "0.0.0.0", "--port", str(port), cwd=tmp_path)
    child.expect_exact("Warning: listening on 0.0.0.0, not loopback")
    child.expect_exact("behind the council's own sign-in")
    child.expect_exact(f"svadvisor is at http://127.0.0.1:{port}/")
    assert get(f"http://127.0.0.1:{port}/")[0] == 200
    child.sendintr()
    child.expect(pexpect.EOF)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("council_name: Anytown\nlogo: missing.png\n", "not a PNG, SVG or JPEG file that exists"),
        ("max_upload_mb: lots\n", "max_upload_mb"),
        ("colour: red\n", "colour"),
    ],
)
def test_a_bad_settings_file_is_a_located_error(
    tmp_path: Path, settings: str, message: str
) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(settings, encoding="utf-8")
    child = spawn("serve", "--settings", str(path), "--port", str(free_port()), cwd=tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert f"{path}:" in output and message in output
    assert "Traceback" not in output
    assert child.exitstatus == 2


def test_a_councils_name_and_logo_show_in_the_header(tmp_path: Path) -> None:
    logo = tmp_path / "crest.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "utf-8")
    (tmp_path / "settings.yaml").write_text(
        "council_name: Anytown <Borough> Council\nlogo: crest.svg\n", encoding="utf-8"
    )
    port = free_port()
    child = spawn("serve", "--settings", "settings.yaml", "--port", str(port), cwd=tmp_path)
    child.expect_exact(f"svadvisor is at http://127.0.0.1:{port}/")
    status, _, body = get(f"http://127.0.0.1:{port}/")
    assert status == 200
    assert "Anytown &lt;Borough&gt; Council" in body
    assert get(f"http://127.0.0.1:{port}/logo")[2].startswith("<svg")
    child.sendintr()
    child.expect(pexpect.EOF)


def test_open_starts_the_default_browser_on_the_page(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    port = free_port()
    child = spawn("serve", "--open", "--port", str(port), cwd=tmp_path, BROWSER=f"{browser} %s")
    child.expect_exact(f"svadvisor is at http://127.0.0.1:{port}/")
    for _ in range(100):
        if opened.exists() and opened.read_text(encoding="utf-8").strip():
            break
        time.sleep(0.05)
    assert opened.read_text(encoding="utf-8").strip() == f"http://127.0.0.1:{port}/"
    child.sendintr()
    child.expect(pexpect.EOF)


def test_a_councils_own_rule_pack_is_served(tmp_path: Path, pack_copy: Path) -> None:
    meta = pack_copy / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(
        text.replace("name: svadvisor built-in rule pack", "name: Anytown rule pack", 1),
        encoding="utf-8",
    )
    port = free_port()
    child = spawn("--rules", str(pack_copy), "serve", "--port", str(port), cwd=tmp_path)
    child.expect_exact(f"svadvisor is at http://127.0.0.1:{port}/")
    status, _, body = get(f"http://127.0.0.1:{port}/")
    assert status == 200 and "Anytown rule pack" in body
    child.sendintr()
    child.expect(pexpect.EOF)
