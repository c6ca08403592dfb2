"""cfn-lint over every synthesized template: no errors, and warnings only where CDK generates them.

Run as `python -m cdk_app.cfn_lint_gate [cdk.out]`; the infra tests call `findings()` directly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

# Warnings that CDK itself writes into templates and that we cannot change from our code.
# Each entry: (rule id, logical-id prefix of the resource the warning sits on, why it is accepted).
CDK_GENERATED_WARNINGS: tuple[tuple[str, str, str], ...] = (
    (
        "W3005",
        "",
        "CDK writes DependsOn on a Lambda function's role (our functions and CDK's own custom-resource "
        "providers) and also GetAtt's that role; our code writes no DependsOn, and the duplicate is "
        "harmless.",
    ),
)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    template: str
    line: int
    resource: str
    message: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line} {self.rule} [{self.resource}] {self.message}"

    @property
    def accepted(self) -> bool:
        return self.severity == "warning" and any(
            self.rule == rule and self.resource.startswith(prefix)
            for rule, prefix, _ in CDK_GENERATED_WARNINGS
        )


def findings(assembly_dir: Path) -> list[Finding]:
    """Lint every `*.template.json` in a cloud assembly directory."""
    from cfnlint.api import lint_file  # heavy import, only when linting

    results: list[Finding] = []
    templates = sorted(assembly_dir.glob("*.template.json"))
    if not templates:
        raise FileNotFoundError(f"no templates in {assembly_dir}")
    for template in templates:
        for match in lint_file(template):
            path = list(getattr(match, "path", None) or [])
            resource = str(path[1]) if len(path) > 1 and path[0] == "Resources" else ""
            results.append(
                Finding(
                    rule=match.rule.id,
                    severity=str(match.rule.severity),
                    template=template.name,
                    line=int(match.linenumber),
                    resource=resource,
                    message=str(match.message),
                )
            )
    return results


def main(argv: list[str]) -> int:
    assembly_dir = Path(argv[0] if argv else "cdk.out")
    all_findings = findings(assembly_dir)
    refused = [finding for finding in all_findings if not finding.accepted]
    for finding in all_findings:
        print(("accepted (CDK-generated): " if finding.accepted else "") + str(finding))
    if refused:
        print(f"cfn-lint: {len(refused)} finding(s) not accepted", file=sys.stderr)
        return 1
    print(f"cfn-lint: {len(list(assembly_dir.glob('*.template.json')))} templates clean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
