"""`make run`'s console: one banner with what a newcomer needs, function logs in a file, a clean Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD, SAMPLE_PROMOTIONS, SHOPPER_EMAIL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_runner_shows_one_banner_keeps_logs_off_the_terminal_and_stops_cleanly_on_ctrl_c() -> None:
    port = _free_port()
    # Its own session, so the SIGINT below reaches every process of it, as a terminal's Ctrl-C does.
    runner = subprocess.Popen(
        [sys.executable, "-m", "cdk_app.local", "--port", str(port), "--no-schedules"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert runner.stdout is not None
        for line in runner.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(180), "".join(lines)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/api/products", timeout=30) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"{base}/_local/emails", timeout=30) as response:
            assert "Emails the local shop sent" in response.read().decode()
        time.sleep(1)  # the handlers' log lines would have reached the terminal by now
    finally:
        os.killpg(runner.pid, signal.SIGINT)
        runner.wait(timeout=60)
        reader.join(timeout=10)
    output = "".join(lines)

    assert runner.returncode == 0, output
    assert "Traceback" not in output
    assert output.rstrip().endswith("Stopped.")
    assert [line for line in lines if line.lstrip().startswith("{")] == []  # no JSON logs on the terminal
    assert "Warning" not in output
    for fact in (
        f"{base}/",
        SHOPPER_EMAIL,
        ADMIN_EMAIL,
        LOCAL_PASSWORD,
        f"{base}/_local/emails",
        "4242 4242 4242 4242",
        "cards through localstripe at http://127.0.0.1:",
        "otpauth://totp/",  # the seeded admin's authenticator secret (admins sign in with a code)
    ):
        assert fact in output, fact
    for terms in SAMPLE_PROMOTIONS:
        assert terms["code"] in output
    banner_keys = [word for word in output.split() if word.startswith("lk_")]
    assert len(banner_keys) == 2  # the admin and partner key values, which do not spell out their names
    assert all("admin" not in key and "partner" not in key for key in banner_keys)
    log = ROOT / ".local-shop" / "logs" / "functions.log"
    assert '"service":"shop_api"' in log.read_text().replace(" ", "")
