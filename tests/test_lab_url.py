"""`make lab HEADLESS=1 HOST=0.0.0.0` prints a URL a person can open, not http://0.0.0.0:…"""
from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from k2tf import notebooks

REPO = notebooks.REPO_ROOT


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_command(*make_args):
    """The `jupyter lab` command line `make lab` would run, without running it."""
    dry = subprocess.run(["make", "-n", "lab", *make_args], cwd=REPO, capture_output=True, text=True, check=True)
    return next(line for line in dry.stdout.splitlines() if "jupyter lab" in line)


def test_on_loopback_the_printed_url_is_the_servers_root():
    """The lab's URL carries ?file-browser-path=/, which Jupyter's appended "?token=…" would
    break: the server's root is printed instead (it redirects there, token kept)."""
    assert "--ServerApp.custom_display_url=http://127.0.0.1:8888/ " in _lab_command("HEADLESS=1", "PORT=8888")
    assert "--ServerApp.custom_display_url=http://127.0.0.1:8888/ " in _lab_command("HEADLESS=1", "HOST=127.0.0.1")
    assert "--ServerApp.custom_display_url=http://localhost:8888/ " in _lab_command("PORT=8888")


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / ".venv/bin/jupyter").exists(), reason="runs where `make setup` made .venv")
def test_on_every_address_the_printed_url_names_this_machine_and_opens(tmp_path):
    port = _free_port()
    command = _lab_command("HEADLESS=1", "HOST=0.0.0.0", f"PORT={port}")
    assert "--ip=0.0.0.0" in command
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path))
    server = subprocess.Popen(shlex.split(command), cwd=REPO, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        printed, deadline = [], time.monotonic() + 120
        while time.monotonic() < deadline and not any("token=" in line for line in printed):
            line = server.stdout.readline()
            if not line:
                break
            printed.append(line)
        urls = re.findall(r"https?://\S+", "".join(printed))
        assert urls, "jupyter lab printed no URL:\n" + "".join(printed[-20:])
        hosts = {urllib.parse.urlsplit(url).hostname for url in urls}
        assert "0.0.0.0" not in hosts, urls
        shown = urllib.parse.urlsplit(urls[0]).hostname
        assert shown not in ("127.0.0.1", "localhost"), f"the first URL should name this machine: {urls[0]}"
        # the name or address shown is this machine's own: opening it reaches the lab just started
        assert shown in {socket.gethostname(), *socket.gethostbyname_ex(socket.gethostname())[2]} or \
            shown in subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
        # Jupyter prints its URLs before its loop binds the port: ask until it answers
        while True:
            try:
                with urllib.request.urlopen(urls[0], timeout=30) as response:
                    assert response.status == 200
                    assert b"JupyterLab" in response.read()
                    break
            except urllib.error.URLError:  # connection refused, until it listens
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
