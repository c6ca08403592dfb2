"""Acknowledging cdk-nag findings at the narrowest scope, always with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one AwsSolutions rule (optionally `Rule[Finding]`) on one construct and its children."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
