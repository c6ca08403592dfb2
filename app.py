#!/usr/bin/env python3
"""CDK entry point: builds the shop for the stage chosen with `-c stage=NAME` and synthesizes it."""

from __future__ import annotations

import sys
from pathlib import Path

# The Lambda code asset is lambdas/; its shared `shop` package also holds the contracts (tables,
# queues, settings) that the stacks build from, so the app imports it the way Lambda does.
sys.path.insert(0, str(Path(__file__).resolve().parent / "lambdas"))

from aws_cdk import App

from cdk_app.build import build_app
from cdk_app.config import ConfigError


def main() -> int:
    app = App()
    try:
        build_app(app)
    except ConfigError as error:
        print(f"synth failed: {error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
