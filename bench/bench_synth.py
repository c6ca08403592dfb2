"""How long `make synth` takes: median of N full CLI synths (nag included) of one stage.

.venv/bin/python bench/bench_synth.py [--runs 5] [--stage dev]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synth_seconds(stage: str) -> float:
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        subprocess.run(
            [
                "node_modules/.bin/cdk",
                "synth",
                "--no-notices",
                "--quiet",
                "-c",
                f"stage={stage}",
                "-o",
                outdir,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={
                **os.environ,
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                "CDK_DISABLE_CLI_TELEMETRY": "true",
            },
        )
        elapsed = time.perf_counter() - started
        stacks = len(list(Path(outdir).glob("*.template.json")))
    print(f"  synth {stage}: {elapsed:.2f} s ({stacks} templates)")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args()
    timings = [synth_seconds(args.stage) for _ in range(args.runs)]
    median = statistics.median(timings)
    print(f"median of {args.runs}: {median:.2f} s (min {min(timings):.2f}, max {max(timings):.2f})")


if __name__ == "__main__":
    main()
