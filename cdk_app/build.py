"""build_app(): the whole shop for one stage, with cdk-nag checking every synth."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from cdk_app.api_routes import ROUTES
from cdk_app.config import STAGE_CONTEXT_KEY, STAGES_CONTEXT_KEY, StageConfig, load_stage_config
from cdk_app.function_catalog import Domain
from constructs_lib.shop_function import FunctionVpcPlacement, ShopFunction
from stacks.account_stack import AccountStack
from stacks.api_stack import ApiStack
from stacks.api_stage_stack import ApiStageStack
from stacks.auth_stack import AuthStack
from stacks.cache_stack import CacheStack
from stacks.data_stack import DataStack
from stacks.domain_stack import DomainStack, SharedResources, deployment_application_name
from stacks.messaging_stack import MessagingStack
from stacks.monitoring_stack import MonitoringStack
from stacks.network_stack import NetworkStack
from stacks.web_stack import WebStack


@dataclass(frozen=True)
class ShopStacks:
    config: StageConfig
    account: AccountStack
    network: NetworkStack
    data: DataStack
    messaging: MessagingStack
    cache: CacheStack
    auth: AuthStack
    api: ApiStack
    domains: dict[Domain, DomainStack]
    api_stage: ApiStageStack
    web: WebStack
    monitoring: MonitoringStack

    @property
    def functions(self) -> dict[str, ShopFunction]:
        """Every function of every domain stack, by name."""
        return {name: fn for stack in self.domains.values() for name, fn in stack.functions.items()}


def stage_config_of(app: App) -> StageConfig:
    stage = app.node.try_get_context(STAGE_CONTEXT_KEY)
    return load_stage_config(
        {STAGES_CONTEXT_KEY: app.node.try_get_context(STAGES_CONTEXT_KEY)}, str(stage) if stage else None
    )


def build_app(app: App, *, nag: bool = True) -> ShopStacks:
    """Add every stack of the stage chosen with `-c stage=NAME` to `app`.

    Raises cdk_app.config.ConfigError for an unknown stage or malformed settings.
    """
    config = stage_config_of(app)
    account = AccountStack(app, region=config.region)
    network = NetworkStack(app, config=config)
    data = DataStack(app, config=config)
    messaging = MessagingStack(app, config=config)
    cache = CacheStack(
        app,
        config=config,
        vpc=network.vpc,
        cache_security_group=network.cache_security_group,
    )
    auth = AuthStack(app, config=config)
    api = ApiStack(app, config=config, user_pool=auth.user_pool)
    # Stages deployed before the Account stack existed set the account's role to their Api stack's
    # own: the Account stack must point it at its role before that old role is deleted.
    api.add_stack_dependency(account, "takes over the account's CloudWatch role before the old one goes")
    # Before the domain stacks: its origin is their CORS origin and the base of their emails' links.
    web = WebStack(
        app,
        config=config,
        rest_api=api.api,
        user_pool=auth.user_pool,
        user_pool_client=auth.web_client,
        product_images_bucket=data.product_images_bucket,
        digital_files_bucket=data.digital_files_bucket,
    )
    shared = SharedResources(
        vpc_placement=FunctionVpcPlacement(
            vpc=network.vpc, subnets=network.lambda_subnets, security_group=network.lambda_security_group
        ),
        tables=data.tables,
        queues=messaging.queues,
        redis=cache.redis.endpoint(),
        user_pool=auth.user_pool,
        user_pool_client_id=auth.web_client.user_pool_client_id,
        product_images_bucket=data.product_images_bucket,
        digital_files_bucket=data.digital_files_bucket,
        payment_provider_secret=data.payment_provider_secret,
        api=api.parts,
        site_origin=web.site_origin,
    )
    domains = {domain: DomainStack(app, domain=domain, config=config, shared=shared) for domain in Domain}
    if config.api_cache:  # without a stage cache there is nothing to flush
        domains[Domain.CATALOG].flush_api_cache_on_product_changes(
            products=data.tables["Products"], api=api.parts, stream_dlq=messaging.stream_dlq
        )
    domains[Domain.MARKETING].schedule_daily_marketing(dead_letter_queue=messaging.schedule_dlq)
    domains[Domain.MARKETING].schedule_weekly_recommendations(dead_letter_queue=messaging.schedule_dlq)
    domains[Domain.ORDERS].schedule_payment_hold_sweep(dead_letter_queue=messaging.schedule_dlq)
    api_stage = ApiStageStack(
        app, config=config, api=api.api, api_keys=api.rest_api.api_keys, site_origin=web.site_origin
    )
    # The stage's execution logs need the account's CloudWatch role to be set first.
    api_stage.add_stack_dependency(account, "API Gateway logs through the account's CloudWatch role")
    for domain_stack in domains.values():
        # The deployment must see every domain's methods.
        api_stage.add_stack_dependency(domain_stack, "the deployment includes this domain's routes")
    monitoring = MonitoringStack(
        app,
        config=config,
        queues=messaging.queues,
        extra_dlqs={"schedule-failures": messaging.schedule_dlq, "stream-failures": messaging.stream_dlq},
        functions={name: fn for stack in domains.values() for name, fn in stack.functions.items()},
        api_functions=sorted({route.function for route in ROUTES}),
        api_stage=api_stage.stage,
        codedeploy_applications=[deployment_application_name(config, domain) for domain in domains],
        redis_replication_group=cache.redis.replication_group,
        admin_sign_in_gate=auth.admin_mfa_gate.function.function,
    )
    if nag:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return ShopStacks(
        config, account, network, data, messaging, cache, auth, api, domains, api_stage, web, monitoring
    )
