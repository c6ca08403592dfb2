"""Synthesize one stage in-process: used by the infra tests, the local runner and the benchmarks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App

from cdk_app.build import ShopStacks, build_app

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


def cdk_context(stage: str, *, bundle: bool = False, **overrides: Any) -> dict[str, Any]:
    """The context `cdk synth -c stage=...` would see; `bundle=False` skips building asset bundles."""
    context: dict[str, Any] = dict(json.loads(CDK_JSON.read_text())["context"])
    context["stage"] = stage
    if not bundle:
        context["aws:cdk:bundling-stacks"] = []
    context.update(overrides)
    return context


@dataclass(frozen=True)
class SynthesizedStage:
    stacks: ShopStacks
    assembly_dir: Path
    templates: dict[str, dict[str, Any]]

    def template(self, short_name: str) -> dict[str, Any]:
        return self.templates[self.stacks.config.stack_name(short_name)]


def synthesize(stage: str, outdir: Path, *, nag: bool = True, bundle: bool = False) -> SynthesizedStage:
    """Build and synthesize every stack of `stage` once; cdk-nag findings raise here."""
    app = App(context=cdk_context(stage, bundle=bundle), outdir=str(outdir))
    stacks = build_app(app, nag=nag)
    assembly = app.synth()
    templates = {stack.stack_name: dict(stack.template) for stack in assembly.stacks}
    return SynthesizedStage(stacks=stacks, assembly_dir=Path(assembly.directory), templates=templates)
