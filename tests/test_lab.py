"""`make lab` serves JupyterLab on the course: the real command, a real server, over HTTP."""
from __future__ import annotations

import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from servers import free_port, stop_group, wait_until_serving

pytestmark = pytest.mark.slow


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def lab(repo, clean_env, tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env = {**clean_env, "JUPYTER_TOKEN": token, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = open(tmp_path / "lab.log", "w+")
    process = subprocess.Popen(["make", "--no-print-directory", "lab", "HEADLESS=1", f"PORT={port}"],
                               cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/api/status", process, what="JupyterLab (make lab)",
                           deadline=time.monotonic() + 120, headers={"Authorization": f"token {token}"},
                           log=lambda: (tmp_path / "lab.log").read_text())
        yield base, token, log
    finally:
        stop_group(process, grace_s=30)
        log.close()


def test_make_lab_serves_the_course_with_its_kernel(lab):
    base, token, log = lab
    status, page = _get(f"{base}/lab", token)
    assert status == 200 and "JupyterLab" in page
    status, body = _get(f"{base}/api/kernelspecs", token)
    specs = json.loads(body)["kernelspecs"]
    assert "k2tf" in specs, f"the course kernel is not offered: {list(specs)}"
    status, body = _get(f"{base}/api/contents/notebooks/00_welcome.ipynb?content=0", token)
    assert status == 200 and json.loads(body)["name"] == "00_welcome.ipynb", "served from the repo root"
    status, body = _get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
    defaults = json.loads(body)["schema"]["properties"]
    assert defaults["fetchNews"]["default"] == "false", "no news pop-up for students (offline)"
    assert defaults["checkForUpdates"]["default"] is False
    # The welcome notebook is where a browser lands, headless or not: the printed URL names
    # it, and the server's root redirects to it.
    welcome = f"{base}/lab/tree/notebooks/00_welcome.ipynb"
    log.seek(0)
    printed = log.read()
    # the welcome URL carries ?file-browser-path=/ (the file browser opens on the course's
    # folder), which Jupyter's appended "?token=…" would break: the server's root is printed
    assert f"{base}/?token=..." in printed.replace("localhost", "127.0.0.1")
    assert token not in printed, "the token must not be written to the log"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(f"{base}/", headers={"Authorization": f"token {token}"}),
                    timeout=10)
        pytest.fail("the root URL should redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302 and redirect.headers["Location"].startswith(
            "/lab/tree/notebooks/00_welcome.ipynb?file-browser-path=/")
