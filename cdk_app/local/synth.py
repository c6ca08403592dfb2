"""Synthesize the local stage in-process and hand back its templates: the runner's single source of truth."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_CODE_ROOT = PROJECT_ROOT / "lambdas"
LOCAL_STAGE = "local"


def synthesize_local_templates(stage: str = LOCAL_STAGE) -> dict[str, dict[str, Any]]:
    """Stack name → template of every stack `build_app` adds for `stage`. No CLI, no Docker, no network."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    if str(LAMBDA_CODE_ROOT) not in sys.path:
        # The stacks import shared names from lambdas/shop, as app.py arranges for the CLI.
        sys.path.insert(0, str(LAMBDA_CODE_ROOT))
    from aws_cdk import App

    from cdk_app.build import build_app

    context = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    context["stage"] = stage
    # No asset bundling: the runner imports the handlers straight from lambdas/.
    context["aws:cdk:bundling-stacks"] = []
    with tempfile.TemporaryDirectory(prefix="shop-local-synth-") as outdir:
        app = App(context=context, outdir=outdir)
        build_app(app, nag=False)
        assembly = app.synth()
        return {stack.stack_name: dict(stack.template) for stack in assembly.stacks}
