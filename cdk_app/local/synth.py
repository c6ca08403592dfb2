"""Synthesize the local stage and hand back its templates: the runner's single source of truth.

The synth runs in a child interpreter: the CDK's jsii kernel starts a Node.js process, which the
running shop does not need and which a terminal's Ctrl-C would kill before the runner had stopped
(jsii then fails at exit with a BrokenPipeError). The cloud assembly is kept until the runner ends,
because each function's code asset in it is what that function's workers run.

    python -m cdk_app.local.synth STAGE OUTDIR   # what the child runs: OUTDIR/templates.json
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_CODE_ROOT = PROJECT_ROOT / "lambdas"
LOCAL_STAGE = "local"
# CDK's own pointer from a resource to its asset directory in the cloud assembly (SAM local reads it too).
ASSET_PATH_KEY = "aws:asset:path"
TEMPLATES_FILE = "templates.json"


class LocalSynthError(RuntimeError):
    """The CDK app did not synthesize; the message ends with the child's error output."""


def synthesize_local_templates(stage: str = LOCAL_STAGE) -> dict[str, dict[str, Any]]:
    """Stack name → template of every stack `build_app` adds for `stage`. No CLI, no Docker, no network."""
    outdir = tempfile.mkdtemp(prefix="shop-local-synth-")
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    result = subprocess.run(  # noqa: S603 - this interpreter, this module, no shell
        [sys.executable, "-m", "cdk_app.local.synth", stage, outdir],
        cwd=PROJECT_ROOT,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LocalSynthError(f"synth of the {stage} stage failed:\n{result.stderr[-4000:]}")
    templates: dict[str, dict[str, Any]] = json.loads((Path(outdir) / TEMPLATES_FILE).read_text())
    return templates


def _synthesize(stage: str, outdir: str) -> dict[str, dict[str, Any]]:
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
    app = App(context=context, outdir=outdir)
    build_app(app, nag=False)
    assembly = app.synth()
    return {
        stack.stack_name: _with_absolute_asset_paths(dict(stack.template), outdir)
        for stack in assembly.stacks
    }


def _with_absolute_asset_paths(synthesized: Any, outdir: str) -> dict[str, Any]:
    template: dict[str, Any] = dict(synthesized)
    for resource in (template.get("Resources") or {}).values():
        metadata = resource.get("Metadata") or {}
        if isinstance(metadata.get(ASSET_PATH_KEY), str):
            metadata[ASSET_PATH_KEY] = str(Path(outdir) / metadata[ASSET_PATH_KEY])
    return template


if __name__ == "__main__":
    stage_name, assembly_dir = sys.argv[1], sys.argv[2]
    (Path(assembly_dir) / TEMPLATES_FILE).write_text(json.dumps(_synthesize(stage_name, assembly_dir)))
