"""The base of every shop stack: its name, version tag, description and protection."""

from __future__ import annotations

from typing import Any

from aws_cdk import Environment, RemovalPolicy, Stack, Tags
from constructs import Construct

from cdk_app.config import StageConfig
from cdk_app.version import product_version


class ShopStack(Stack):
    """A stack named `Shop-<stage>-<Name>`, tagged and described with the product version.

    Stateful stacks (`stateful=True`) are termination-protected in stages that retain data.
    """

    def __init__(
        self,
        scope: Construct,
        short_name: str,
        *,
        config: StageConfig,
        stateful: bool,
        purpose: str,
        **kwargs: Any,
    ) -> None:
        version = product_version()
        tags = {"shop:version": version, "shop:stage": config.name, "shop:stack": short_name}
        super().__init__(
            scope,
            config.stack_name(short_name),
            stack_name=config.stack_name(short_name),
            env=Environment(region=config.region),
            description=f"Serverless shop {version} - {short_name} ({config.name}): {purpose}",
            termination_protection=stateful and config.retains_data,
            tags=tags,  # stack tags: CloudFormation also propagates them to what it creates
            **kwargs,
        )
        self.config = config
        self.stateful = stateful
        # ...and on every resource in the template, so reviewers see the version in `cdk diff`.
        for key, value in tags.items():
            Tags.of(self).add(key, value)

    @property
    def data_removal_policy(self) -> RemovalPolicy:
        return RemovalPolicy.RETAIN if self.config.retains_data else RemovalPolicy.DESTROY
