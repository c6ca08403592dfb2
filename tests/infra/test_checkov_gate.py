"""checkov on the synthesized dev and prod templates: no failed check outside the acceptances of
cdk_app/checkov_acceptances.py, each of which gives its reason (issue 19)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from cdk_app.checkov_acceptances import ACCEPTED
from cdk_app.checkov_gate import CHECKOV, _report, run
from cdk_app.synth import SynthesizedStage

needs_checkov = pytest.mark.skipif(
    not CHECKOV.exists(),
    reason=f"checkov is not installed in {CHECKOV.parent.parent.name} (`make setup` creates it)",
)
# The gate runs in `make synth`: two stages must stay well under the two minutes it may add.
SECONDS_PER_STAGE = 60


@needs_checkov
@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_no_failed_check_outside_the_acceptances(
    stage_name: str, dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    stage = {"dev": dev, "prod": prod}[stage_name]
    started = time.monotonic()
    report = run(stage.assembly_dir)
    elapsed = time.monotonic() - started
    assert report.passed > 500  # checkov read the templates (an empty run passes nothing)
    assert [str(failure) for failure in report.refused] == []
    assert elapsed < SECONDS_PER_STAGE, f"checkov took {elapsed:.0f} s"


def _output(*failed: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "check_type": "cloudformation",
        "summary": {"passed": 3, "failed": len(failed)},
        "results": {
            "failed_checks": [
                {
                    "check_id": check,
                    "check_name": "a check",
                    "file_path": f"/{template}",
                    "resource": resource,
                }
                for check, template, resource in failed
            ]
        },
    }


def test_a_failure_without_an_acceptance_is_refused() -> None:
    report = _report(
        _output(("CKV_AWS_115", "Shop-dev-Cart.template.json", "AWS::Lambda::Function.cartapiFunction12AB")),
        {"dev": {}},
    )
    # A shop function without reserved concurrency is not accepted; CDK's providers are.
    assert [failure.check for failure in report.refused] == ["CKV_AWS_115"]
    accepted = _report(
        _output(
            ("CKV_AWS_115", "Shop-dev-Data.template.json", "AWS::Lambda::Function.CustomS3AutoDeleteObjectsX")
        ),
        {"dev": {}},
    )
    assert accepted.refused == []


def test_a_stage_setting_acceptance_holds_only_where_the_setting_is_off() -> None:
    failed = ("CKV_AWS_120", "Shop-{}-ApiStage.template.json", "AWS::ApiGateway::Stage.RestStage91BC")
    settings = {"dev": {"api_cache": False}, "prod": {"api_cache": True}}
    for stage, refused in (("dev", 0), ("prod", 1)):
        check, template, resource = failed
        report = _report(_output((check, template.format(stage), resource)), settings)
        assert len(report.refused) == refused, stage


def test_functions_inside_the_vpc_are_not_accepted_outside_it() -> None:
    report = _report(
        _output(
            ("CKV_AWS_117", "Shop-dev-Orders.template.json", "AWS::Lambda::Function.orderapiFunctionAB12")
        ),
        {"dev": {}},
    )
    assert len(report.refused) == 1


def test_every_acceptance_gives_a_reason() -> None:
    for acceptance in ACCEPTED:
        assert acceptance.check.startswith("CKV_"), acceptance
        assert len(acceptance.reason) > 40, acceptance


def test_make_setup_installs_the_pinned_checkov_and_make_synth_runs_the_gate() -> None:
    root = CHECKOV.parent.parent.parent
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^setup: .*\$\(CHECKOV_STAMP\)", makefile, re.MULTILINE)
    synth = makefile.split("\nsynth:", 1)[1].split("\n\n", 1)[0]
    assert "$(PY) -m cdk_app.checkov_gate $(CDK_OUT)" in synth
    assert "checkov==3.3.30" in (root / "requirements-checkov.txt").read_text().splitlines()
