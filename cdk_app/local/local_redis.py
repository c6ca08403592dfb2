"""Redis for the local shop: a real `redis-server` when one is on PATH, otherwise fakeredis's TCP server.

The handlers speak the Redis protocol either way (they get a `REDIS_URL`), so the code path is the one
AWS runs. fakeredis keeps nothing on disk, so `--persist` keeps Redis data only with a real server;
the shop treats Redis as a cache, so losing it costs warm-up, not data.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdk_app.local.redis_server import RedisServer, free_port, redis_server_available

logger = logging.getLogger(__name__)


@dataclass
class LocalRedis:
    url: str
    kind: str  # "redis-server" or "fakeredis"
    _server: Any = None
    _thread: threading.Thread | None = None

    def stop(self) -> None:
        if isinstance(self._server, RedisServer):
            self._server.stop()
        elif self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(5)
        self._server = None


def start_redis(data_dir: Path | None = None, *, prefer_real: bool = True) -> LocalRedis:
    if prefer_real and redis_server_available():
        server = RedisServer(data_dir=data_dir).start()
        return LocalRedis(url=server.url, kind="redis-server", _server=server)
    from fakeredis import TcpFakeServer

    if data_dir is not None:
        logger.warning("local runner: no redis-server on PATH; fakeredis keeps no data between runs")
    port = free_port()
    fake = TcpFakeServer(("127.0.0.1", port))
    thread = threading.Thread(target=fake.serve_forever, name="fakeredis", daemon=True)
    thread.start()
    return LocalRedis(url=f"redis://127.0.0.1:{port}/0", kind="fakeredis", _server=fake, _thread=thread)
