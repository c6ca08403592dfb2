"""A throwaway redis-server on a free loopback port, for the local shop and the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


@dataclass
class RedisServer:
    """Starts `redis-server` with no persistence unless `data_dir` is given; `stop()` ends it."""

    port: int = field(default_factory=free_port)
    data_dir: Path | None = None
    _process: subprocess.Popen[bytes] | None = None
    _scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_seconds: float = 10.0) -> RedisServer:
        executable = shutil.which("redis-server")
        if executable is None:
            raise FileNotFoundError("redis-server is not on PATH (apt-get install redis-server)")
        if self.data_dir is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="shop-redis-")
            directory = Path(self._scratch.name)
            persistence = ["--save", "", "--appendonly", "no"]
        else:
            directory = self.data_dir
            directory.mkdir(parents=True, exist_ok=True)
            persistence = ["--save", "60 1", "--appendonly", "no"]
        self._process = subprocess.Popen(  # noqa: S603 - fixed executable, no shell
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(directory),
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
