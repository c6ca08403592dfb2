"""A newcomer's first `make run`: seconds from a fresh clone to a served page, and the venv's size.

    .venv/bin/python bench/bench_first_run.py [--rev HEAD] [--port 8790]

Clones this repository at REV into a temporary directory, runs `make run` there, polls until both
`/api/products` and `/` answer 200, reports the time and `du` of the new `.venv`, then stops the shop
with SIGINT (as Ctrl-C does) and removes the clone. pip's cache is whatever this machine has.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 600


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def directory_megabytes(path: Path) -> int:
    return sum(
        file.stat().st_size for file in path.rglob("*") if file.is_file() and not file.is_symlink()
    ) // (1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="first-run-"))
    clone = workdir / "shop"
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "checkout", "-q", args.rev], cwd=clone, check=True)
        started = time.monotonic()
        with (workdir / "run.log").open("w") as log:
            shop = subprocess.Popen(
                ["make", "run", f"PORT={args.port}"],
                cwd=clone,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            base = f"http://127.0.0.1:{args.port}"
            while not (answers(f"{base}/api/products") and answers(f"{base}/")):
                if time.monotonic() - started > TIMEOUT_SECONDS or shop.poll() is not None:
                    raise SystemExit(f"the shop did not come up; see {workdir / 'run.log'}")
                time.sleep(0.5)
            served = time.monotonic() - started
            os.killpg(shop.pid, signal.SIGINT)
            shop.wait(timeout=60)
        print(f"{args.rev}: served after {served:.1f} s; .venv {directory_megabytes(clone / '.venv')} MB")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
