import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.subprocess_env import ROOT, clean_env

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (a local URL)
                return response.status
        except OSError:
            time.sleep(0.3)
    return 0


def test_serves_the_web_process_and_stops_everything_on_ctrl_c(tmp_path):
    port = free_port()
    env = clean_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    stack = subprocess.Popen(
        [sys.executable, "manage.py", "runstack", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/api/health", seconds=30) == 200
        stack.send_signal(signal.SIGINT)
        output, _ = stack.communicate(timeout=30)
    finally:
        if stack.poll() is None:
            stack.kill()
    assert stack.returncode == 0, output
    assert "runstack: stopped" in output
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
