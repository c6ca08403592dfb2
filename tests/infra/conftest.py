"""One synth per stage per test session; every infra test reads these templates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from cdk_app.synth import SynthesizedStage, synthesize

_SYNTHESIZED: dict[str, SynthesizedStage] = {}


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], SynthesizedStage]:
    def get(stage: str) -> SynthesizedStage:
        if stage not in _SYNTHESIZED:
            _SYNTHESIZED[stage] = synthesize(stage, Path(tmp_path_factory.mktemp(f"cdk-{stage}")))
        return _SYNTHESIZED[stage]

    return get


@pytest.fixture(scope="session")
def dev(synthesized: Callable[[str], SynthesizedStage]) -> SynthesizedStage:
    return synthesized("dev")


@pytest.fixture(scope="session")
def prod(synthesized: Callable[[str], SynthesizedStage]) -> SynthesizedStage:
    return synthesized("prod")


def template_of(stage: SynthesizedStage, short_name: str) -> Template:
    return Template.from_json(stage.template(short_name))
