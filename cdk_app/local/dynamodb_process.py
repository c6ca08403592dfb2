"""moto's DynamoDB (and DynamoDB Streams) in a process of its own, answering one request at a time.

Why one at a time: moto's backends are not thread-safe, and DynamoDB applies each request atomically;
two conditional writes to one item arriving at once from two function workers must not both pass
their condition (two reservations of the last unit). The server here has one thread: it accepts a
connection, answers its request (werkzeug closes every connection after one answer) and takes the
next, so requests never overlap — no lock, and no thread started per request.

Why a process: the runner's process also runs the HTTP front, the stage cache, the queue and stream
pumps, moto's other services and, under `bench/`, the shoppers' threads — one GIL for all of them.
When DynamoDB lived there behind a lock, a request under 100 shoppers held the lock about ten times
longer than the CPU time it used (PutItem 73 ms for 7.6 ms of CPU): the holder waited for the GIL
behind every other thread of the runner while everyone else waited for the lock (docs/local-run.md).

    python -m cdk_app.local.dynamodb_process   # prints its port, serves until stdin closes

The runner starts it (`aws_services.start_aws`), points `AWS_ENDPOINT_URL_DYNAMODB` and
`AWS_ENDPOINT_URL_DYNAMODB_STREAMS` at it, and forwards DynamoDB requests that reach its own moto
endpoint here, so one `AWS_ENDPOINT_URL` still reaches every service. The process ends when its
standard input closes: when the runner stops it, or when the runner dies.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading


def main() -> None:
    # A terminal's Ctrl-C reaches the whole process group; the runner stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per call drowns the logs
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from cdk_app.local import dynamodb_transactions

    dynamodb_transactions.install()  # sound here only: this server answers one request at a time
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()  # the one serving thread
    print(server.port, flush=True)
    sys.stdin.read()  # until the runner closes it
    server.shutdown()


if __name__ == "__main__":
    main()
