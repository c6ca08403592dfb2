"""Synthesize the local stage in-process and hand back its templates: the runner's single source of truth.

The cloud assembly is kept until the process ends, because each function's code asset in it is what
that function's workers run.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_CODE_ROOT = PROJECT_ROOT / "lambdas"
LOCAL_STAGE = "local"
# CDK's own pointer from a resource to its asset directory in the cloud assembly (SAM local reads it too).
ASSET_PATH_KEY = "aws:asset:path"


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
    # No bundling (no layer build): the workers use this interpreter's packages. The functions' code
    # assets are staged as in AWS, and each worker runs its function from its own asset.
    context["aws:cdk:bundling-stacks"] = []
    context["aws:cdk:enable-asset-metadata"] = True
    outdir = tempfile.mkdtemp(prefix="shop-local-synth-")
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    app = App(context=context, outdir=outdir)
    build_app(app, nag=False)
    assembly = app.synth()
    return {
        stack.stack_name: _with_absolute_asset_paths(dict(stack.template), outdir)
        for stack in assembly.stacks
    }


def _with_absolute_asset_paths(template: dict[str, Any], outdir: str) -> dict[str, Any]:
    for resource in (template.get("Resources") or {}).values():
        metadata = resource.get("Metadata") or {}
        if isinstance(metadata.get(ASSET_PATH_KEY), str):
            metadata[ASSET_PATH_KEY] = str(Path(outdir) / metadata[ASSET_PATH_KEY])
    return template
