"""The whole shop on one machine: what `python -m cdk_app.local` starts and stops, usable from tests too."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cdk_app.local.api_gateway import ApiGateway
from cdk_app.local.aws_services import LocalAws, create_resources, start_aws
from cdk_app.local.cognito_emulation import require_totp_codes, run_pre_token_triggers
from cdk_app.local.cognito_tokens import CognitoTokenVerifier, issuer_of, moto_jwks_url
from cdk_app.local.function_processes import DEFAULT_CONCURRENCY, LogSink, ProcessFunctionRuntime
from cdk_app.local.function_runtime import FunctionRuntime
from cdk_app.local.intrinsics import ResourceAddress, UnresolvableIntrinsicError
from cdk_app.local.local_redis import LocalRedis, start_redis
from cdk_app.local.local_stripe import LocalPayments, start_payments
from cdk_app.local.persistence import restore_state, save_state
from cdk_app.local.product_images import ProductImageFiles, product_images_bucket
from cdk_app.local.queue_pump import QueuePump
from cdk_app.local.schedules import ScheduleRunner
from cdk_app.local.server import API_GATEWAY_CONTROL_PREFIX, API_PREFIX, ShopHttpServer
from cdk_app.local.stage_cache import StageCache
from cdk_app.local.stream_pump import StreamPump
from cdk_app.local.synth import LOCAL_STAGE, PROJECT_ROOT, synthesize_local_templates
from cdk_app.local.template_model import EventSourceModel, ShopModel, read_shop_model
from cdk_app.site_pages import SitePages, site_brand_config

logger = logging.getLogger(__name__)

SEED_MODULE = "cdk_app.local.seed"
# X-Ray has no daemon here: tracing off, so the SDK neither patches clients nor warns on every call.
LOCAL_FUNCTION_SETTINGS = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_XRAY_SDK_ENABLED": "false",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
}
# shop.contracts.environment's names; not imported, so the runner need not import lambdas/.
REDIS_URL = "REDIS_URL"
SENDER_EMAIL = "SENDER_EMAIL"
SITE_URL = "SITE_URL"
WEB_ORIGIN = "WEB_ORIGIN"
API_URL = "API_URL"
# The stage's brand and pricing as the functions get them: the local pages render with the same values.
BRAND_SETTINGS_VARIABLE = "BRAND_SETTINGS"
PRICING_RULES_VARIABLE = "PRICING_RULES"
# botocore's service-specific endpoint variable: the handlers' apigateway clients reach the runner.
API_GATEWAY_ENDPOINT = "AWS_ENDPOINT_URL_API_GATEWAY"


@dataclass
class LocalShopOptions:
    port: int = 8000
    host: str = "127.0.0.1"
    persist_dir: Path | None = None
    web_root: Path = PROJECT_ROOT / "web"
    # None keeps AWS's timing before a failed message is retried: the consumer's backoff (a minute or
    # more), or the template's visibility timeout (minutes). A number overrides both.
    retry_delay_seconds: int | None = None
    run_schedules: bool = True
    seed: bool = True
    templates: Mapping[str, Mapping[str, Any]] | None = None  # tests pass templates; otherwise synthesized
    # Each function in worker processes of its own, up to `concurrency` at once (function_processes.py);
    # False runs every handler in this process, one at a time (function_runtime.py): easier to debug.
    isolated_functions: bool = True
    concurrency: int = DEFAULT_CONCURRENCY
    # Where the functions' output (JSON logs, EMF) goes; None: this process's stdout.
    function_log: Path | None = None


def site_pages_of(model: ShopModel, web_root: Path) -> SitePages | None:
    """web/'s pages with the brand and pricing the synthesized functions were given (BRAND_SETTINGS,
    PRICING_RULES): the same values as the deployed site's, from the same templates; None when no
    function carries the brand (a web root without the page layout is then served as it is)."""
    settings: dict[str, Any] = {}
    for function in model.functions:
        for name in (BRAND_SETTINGS_VARIABLE, PRICING_RULES_VARIABLE):
            value = function.environment.get(name)
            if isinstance(value, str):
                settings[name] = json.loads(value)
    if BRAND_SETTINGS_VARIABLE not in settings or not (web_root / "_layout").is_dir():
        return None
    return SitePages(settings[BRAND_SETTINGS_VARIABLE], settings.get(PRICING_RULES_VARIABLE, {}), web_root)


@dataclass
class LocalShop:
    """Start with `start()`, stop with `stop()`; attributes expose every part for tests and seeding."""

    options: LocalShopOptions = field(default_factory=LocalShopOptions)
    model: ShopModel | None = None
    aws: LocalAws | None = None
    redis: LocalRedis | None = None
    payments: LocalPayments | None = None
    runtime: FunctionRuntime | ProcessFunctionRuntime | None = None
    gateway: ApiGateway | None = None
    server: ShopHttpServer | None = None
    schedules: ScheduleRunner | None = None
    api_keys: dict[str, str] = field(default_factory=dict)
    pumps: list[QueuePump | StreamPump] = field(default_factory=list)
    _saved_environment: dict[str, str] | None = None
    _started: bool = False
    _function_log: TextIO | None = None

    def start(self) -> LocalShop:
        # The runner sets AWS variables and switches functions' environments in os.environ; stop() puts
        # the process's own environment back, so a second shop in the same process starts its own moto.
        self._saved_environment = dict(os.environ)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        options = self.options
        _forget_function_singletons()
        templates = options.templates if options.templates is not None else synthesize_local_templates()
        model = self.model = read_shop_model(templates)
        redis_dir = options.persist_dir / "redis" if options.persist_dir else None
        self.redis = start_redis(redis_dir)
        aws = self.aws = start_aws(model.resources.region)
        create_resources(model, aws, sender_emails=self._sender_emails(model))
        if options.persist_dir is not None:
            restore_state(model, aws, options.persist_dir)
        # AWS generates the values a template leaves out; locally a value derived from the name, so it
        # stays the same from run to run (a page that remembered it keeps working).
        self.api_keys = {key.name: key.value or local_api_key_value(key.name) for key in model.api_keys}
        self.gateway = ApiGateway(
            model.routes,
            self._invoke,
            stage=model.api_stage,
            verifier=self._verifier(model, aws),
            cache=StageCache(),
            binary_media_types=model.binary_media_types,
            # Value → id (the key's Ref, as the functions' <PLAN>_API_KEY_ID resolves it).
            api_keys=(
                {self.api_keys[key.name]: model.resources.values[key.address].ref for key in model.api_keys}
                if model.api_keys
                else None
            ),
            gateway_response_headers=model.gateway_response_headers,
        )
        self.schedules = ScheduleRunner(model.schedules, self._invoke)
        images_bucket = product_images_bucket(model)
        # Bound now (port known), serving only after seeding.
        self.server = ShopHttpServer(
            self.gateway,
            web_root=options.web_root,
            config=self.web_config,
            port=options.port,
            host=options.host,
            schedules=self.schedules,
            aws_endpoint_url=aws.endpoint_url,
            product_images=(
                ProductImageFiles(aws.client("s3"), images_bucket.name) if images_bucket is not None else None
            ),
            pages=site_pages_of(model, options.web_root),
        )
        self.payments = start_payments(f"{self.server.url}/api/payment/webhook/stripe")
        self.server.stripe_upstream = self.payments.api_base
        _store_payment_keys(model, aws, self.payments)
        overlay = {
            **aws.process_environment(),
            **LOCAL_FUNCTION_SETTINGS,
            **self.payments.function_environment(),
            REDIS_URL: self.redis.url,
            API_GATEWAY_ENDPOINT: self.server.url + API_GATEWAY_CONTROL_PREFIX,
            # Emails link to this shop's own pages, on whatever port it got (cdk.json's is a default),
            # and to its API (in AWS, the REST API's stage URL).
            SITE_URL: self.server.url,
            # The pages and the API share this origin locally; in AWS it is the site's CloudFront domain.
            WEB_ORIGIN: self.server.url,
            API_URL: self.server.url + API_PREFIX,
        }
        self.runtime = (
            ProcessFunctionRuntime(
                model, overlay, concurrency=options.concurrency, log_sink=self._function_log_sink()
            )
            if options.isolated_functions
            else FunctionRuntime(model, overlay)
        )
        # The pool's pre token generation trigger runs as in AWS (admin needs TOTP); wrong codes fail.
        require_totp_codes()
        run_pre_token_triggers(model, aws, self._invoke)
        if options.seed:
            self._seed()
        self.server.start()
        self._start_pumps(model, aws)
        if options.run_schedules:
            self.schedules.start()
        self._started = True

    def _invoke(self, address: ResourceAddress, event: Any) -> Any:
        assert self.runtime is not None, "functions run once the runtime exists"
        return self.runtime.invoke(address, event)

    @staticmethod
    def _sender_emails(model: ShopModel) -> set[str]:
        """Every SENDER_EMAIL a function is given: SES refuses to send from an unverified identity."""
        emails = set()
        for function in model.functions:
            if SENDER_EMAIL in function.environment:
                try:
                    emails.add(
                        model.resolver.resolve_string(
                            function.environment[SENDER_EMAIL], function.address.stack
                        )
                    )
                except UnresolvableIntrinsicError:
                    continue
        return emails

    def _function_log_sink(self) -> LogSink | None:
        """Appends the workers' lines to `options.function_log` (one file for every function)."""
        if self.options.function_log is None:
            return None
        self.options.function_log.parent.mkdir(parents=True, exist_ok=True)
        log = self._function_log = self.options.function_log.open("w", encoding="utf-8", buffering=1)
        lock = threading.Lock()

        def write(line: str) -> None:
            with lock:
                log.write(line)

        return write

    @staticmethod
    def _verifier(model: ShopModel, aws: LocalAws) -> CognitoTokenVerifier | None:
        if not model.user_pools:
            return None
        pool = model.user_pools[0]
        pool_id = model.resources.values[pool.address].ref
        return CognitoTokenVerifier(
            issuer=issuer_of(aws.region, pool_id),
            client_ids={model.resources.values[client.address].ref for client in pool.clients},
            jwks_url=moto_jwks_url(aws.endpoint_url, pool_id),
        )

    def _seed(self) -> None:
        try:
            seeder = importlib.import_module(SEED_MODULE)
        except ModuleNotFoundError as error:
            if error.name != SEED_MODULE:
                raise
            return
        seeder.seed(self)

    def _start_pumps(self, model: ShopModel, aws: LocalAws) -> None:
        assert self.runtime is not None
        sqs = aws.client("sqs")
        for source in model.event_sources:
            if not source.enabled:
                continue
            if source.kind == "sqs":
                queue = model.queue_by_arn(source.source_arn)
                values = model.resources.values[queue.address]
                self.pumps.append(
                    QueuePump(
                        sqs=sqs,
                        queue_url=values.ref,
                        queue_arn=values.attributes["Arn"],
                        function=source.function,
                        invoke=self.runtime.invoke,
                        region=aws.region,
                        batch_size=source.batch_size,
                        reports_failures=source.report_batch_item_failures,
                        retry_delay_seconds=self.options.retry_delay_seconds,
                    ).start()
                )
            elif source.kind == "dynamodb":
                self.pumps.append(self._stream_pump(model, aws, source).start())

    def _stream_pump(self, model: ShopModel, aws: LocalAws, source: EventSourceModel) -> StreamPump:
        assert self.runtime is not None
        table = model.table_by_stream_arn(source.source_arn)
        stream_arn = aws.client("dynamodb").describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
        on_failure = None
        if source.on_failure_arn and ":sqs:" in source.on_failure_arn:
            failure_queue = model.resources.values[model.queue_by_arn(source.on_failure_arn).address].ref
            sqs = aws.client("sqs")

            def on_failure(record: dict[str, Any], url: str = failure_queue) -> None:
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))

        return StreamPump(
            streams=aws.client("dynamodbstreams"),
            stream_arn=stream_arn,
            function=source.function,
            invoke=self.runtime.invoke,
            batch_size=source.batch_size,
            batching_window_seconds=source.maximum_batching_window_seconds,
            maximum_retry_attempts=source.maximum_retry_attempts,
            bisect_on_error=source.bisect_on_error,
            starting_position=source.starting_position,
            on_failure=on_failure,
        )

    def web_config(self, base_url: str) -> dict[str, Any]:
        """config.json for web/: where the API and the user pool are."""
        assert self.model is not None
        assert self.aws is not None
        pool_id = client_id = None
        if self.model.user_pools:
            pool = self.model.user_pools[0]
            pool_id = self.model.resources.values[pool.address].ref
            if pool.clients:
                client_id = self.model.resources.values[pool.clients[0].address].ref
        return {
            "apiUrl": f"{base_url}/api",
            "userPoolId": pool_id,
            "userPoolClientId": client_id,
            "region": self.aws.region,
            "stage": LOCAL_STAGE,
            "apiStage": self.model.api_stage,
            "cognitoEndpoint": self.aws.endpoint_url,
            **(
                site_brand_config(pages.brand, pages.pricing)
                if (pages := self.server and self.server.pages)
                else {}
            ),
            **(self.payments.scripts(base_url).site_config() if self.payments else {}),
        }

    def stop(self) -> None:
        for pump in self.pumps:
            pump.request_stop()  # all at once: each may be in a one-second long poll
        for pump in self.pumps:
            pump.stop()
        self.pumps.clear()
        if self.schedules is not None:
            self.schedules.stop()
        if self.server is not None:
            self.server.stop()
            self.server = None
        if isinstance(self.runtime, ProcessFunctionRuntime):
            self.runtime.stop()
        if self._function_log is not None:
            self._function_log.close()
            self._function_log = None
        # Only a shop that fully started saves: a failed start (say, mid-restore) must not overwrite
        # the persisted data with a partial copy.
        if self._started and self.options.persist_dir is not None and self.model and self.aws:
            try:
                save_state(self.model, self.aws, self.options.persist_dir)
            except Exception:
                logger.exception("local runner: could not save state to %s", self.options.persist_dir)
        self._started = False
        if self.aws is not None:
            self.aws.stop()
            self.aws = None
        if self.redis is not None:
            self.redis.stop()
            self.redis = None
        if self.payments is not None:
            self.payments.stop()
            self.payments = None
        if self._saved_environment is not None:
            for key in [key for key in os.environ if key not in self._saved_environment]:
                del os.environ[key]
            os.environ.update(self._saved_environment)
            self._saved_environment = None


def _store_payment_keys(model: ShopModel, aws: LocalAws, payments: LocalPayments) -> None:
    """Write the keys into the stage's payment secret, as an operator pastes real ones in (runbooks)."""
    client = aws.client("secretsmanager")
    for address, _resource in model.resources.resources_of_type("AWS::SecretsManager::Secret"):
        if "PaymentProviderSecret" in address.logical_id:
            client.put_secret_value(
                SecretId=model.resources.values[address].ref, SecretString=payments.secret_value()
            )
            return
    raise LookupError("no PaymentProviderSecret in the templates: the payment functions would have no keys")


def local_api_key_value(name: str) -> str:
    """What API Gateway would generate: a value that does not spell out the key's name."""
    return "lk_" + hashlib.sha256(f"local-api-key:{name}".encode()).hexdigest()[:24]


def _forget_function_singletons() -> None:
    """Handlers keep clients and settings per process; a new shop (new moto, new Redis) needs new ones."""
    import sys

    from cdk_app.local.synth import LAMBDA_CODE_ROOT

    module_name = "shop.platform.process_state"
    process_state = sys.modules.get(module_name)
    if process_state is None:
        # Not imported in this process (worker processes run the handlers): nothing is cached. A
        # missing file is a rename that would otherwise make this reset a silent no-op.
        module_file = LAMBDA_CODE_ROOT.joinpath(*module_name.split(".")).with_suffix(".py")
        if not module_file.is_file():
            raise ModuleNotFoundError(f"{module_name} not found at {module_file}: update the runner")
        return
    process_state.reset_process_state()
