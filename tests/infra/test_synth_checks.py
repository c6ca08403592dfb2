"""cdk-nag and cfn-lint run on every synth and fail it on a finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk import aws_sqs as sqs

from cdk_app.build import build_app
from cdk_app.cfn_lint_gate import CDK_GENERATED_WARNINGS, findings
from cdk_app.synth import SynthesizedStage, cdk_context


def test_nag_fails_synth_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    app = App(context=cdk_context("dev"), outdir=str(tmp_path))
    stacks = build_app(app)
    sqs.Queue(stacks.messaging, "QueueWithoutDlq", enforce_ssl=True)  # AwsSolutions-SQS3
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "AwsSolutions-SQS3" in report
    assert "QueueWithoutDlq" in report


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_synthesized_templates_pass_cfn_lint(
    stage_name: str, dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    stage = {"dev": dev, "prod": prod}[stage_name]
    all_findings = findings(stage.assembly_dir)
    errors = [finding for finding in all_findings if finding.severity == "error"]
    assert errors == []
    refused = [str(finding) for finding in all_findings if not finding.accepted]
    assert refused == []


def test_only_cdk_generated_warnings_are_accepted() -> None:
    assert [rule for rule, _, _ in CDK_GENERATED_WARNINGS] == ["W3005"]
