"""The local shop's payment providers: localstripe for cards, or Stripe's own test mode when its keys are
in the environment; PayPal's sandbox when its credentials are.

localstripe (PyPI) is a stateful Stripe API that also serves a Stripe.js stand-in and sends signed
webhooks. The runner starts one per shop, registers the shop's webhook URL with a fresh secret,
writes its keys into the stage's payment secret (as an operator pastes real ones into Secrets Manager)
and points the Stripe provider at it through STRIPE_API_BASE, so the production code path (Stripe
SDK, webhook signature check, settlement) is what runs. Nothing here is in the Lambda code.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from cdk_app.local.redis_server import free_port
from constructs_lib.site_policy import PaymentScripts

logger = logging.getLogger(__name__)

# shop.contracts.environment.STRIPE_API_BASE; not imported, so the runner need not import lambdas/.
STRIPE_API_BASE = "STRIPE_API_BASE"
# Real test-mode keys (https://dashboard.stripe.com/test/apikeys) make `make run` use Stripe itself.
STRIPE_KEY_VARIABLES = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY")
# From `stripe listen`, when Stripe's webhooks are forwarded to the local shop; a variable's name.
STRIPE_WEBHOOK_SECRET_VARIABLE = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 - a variable's name, not a secret
PAYPAL_KEY_VARIABLES = ("PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET")
# localstripe accepts any key of the right shape; these only say where they come from.
LOCALSTRIPE_SECRET_KEY = "sk_test_localstripe"  # noqa: S105 - localstripe takes any sk_test_ key
LOCALSTRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_ID = "shop"
# cdk_app.local.server.STRIPE_PREFIX: where the shop's own server passes the browser's calls on.
SITE_PROXY_PATH = "/_local/stripe"
START_TIMEOUT_SECONDS = 20.0
# localstripe pickles its whole store to one fixed file in /tmp on every write: slow as the store
# grows, and shared by every localstripe on the machine (parallel test runs). The local shop starts
# from scratch each run, so the launcher turns that copy off.
LAUNCHER = (
    "import sys; import localstripe.resources as r; r.Store.dump_to_disk = lambda self: None; "
    "from localstripe import server; sys.argv[0] = 'localstripe'; server.start()"
)


class LocalStripeError(RuntimeError):
    """localstripe did not start or refused the webhook registration."""


@dataclass
class LocalPayments:
    """The keys and endpoints the shop's payment secret, functions and config.json get."""

    stripe_secret_key: str
    stripe_publishable_key: str
    stripe_webhook_secret: str
    api_base: str | None  # None: Stripe itself
    paypal_client_id: str = ""
    paypal_client_secret: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def uses_localstripe(self) -> bool:
        return self.process is not None

    def secret_value(self) -> str:
        """The payment secret's JSON (shop.payments.secrets.PaymentSecrets)."""
        document = {
            "stripe_secret_key": self.stripe_secret_key,
            "stripe_webhook_secret": self.stripe_webhook_secret,
        }
        if self.paypal_client_id:
            document |= {
                "paypal_client_id": self.paypal_client_id,
                "paypal_client_secret": self.paypal_client_secret,
            }
        return json.dumps(document)

    def function_environment(self) -> dict[str, str]:
        return {STRIPE_API_BASE: self.api_base} if self.api_base else {}

    def scripts(self, site_url: str) -> PaymentScripts:
        """What checkout.js loads: localstripe's Stripe.js through the site (`/_local/stripe`: a page may
        not load scripts from another loopback port, and that Stripe.js calls where it came from), or
        Stripe's own."""
        if self.api_base is None:
            return PaymentScripts(
                stripe_publishable_key=self.stripe_publishable_key, paypal_client_id=self.paypal_client_id
            )
        return PaymentScripts(
            stripe_publishable_key=self.stripe_publishable_key,
            stripe_js_url=f"{site_url}{SITE_PROXY_PATH}/js.stripe.com/v3/",
            stripe_api_origin=site_url,
            paypal_client_id=self.paypal_client_id,
        )

    def describe(self) -> str:
        card = f"localstripe at {self.api_base}" if self.uses_localstripe else "Stripe's test mode"
        paypal = "PayPal sandbox" if self.paypal_client_id else "PayPal off (no PAYPAL_CLIENT_ID)"
        return f"cards through {card}; {paypal}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def start_payments(webhook_url: str, environ: dict[str, str] | None = None) -> LocalPayments:
    """Stripe's test mode when STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are set (live keys are
    refused: the local shop never takes real money), otherwise a fresh localstripe whose webhooks go to
    `webhook_url`."""
    env = os.environ if environ is None else environ
    paypal_id, paypal_secret = (env.get(name, "") for name in PAYPAL_KEY_VARIABLES)
    if not (paypal_id and paypal_secret):
        paypal_id = paypal_secret = ""
    if all(env.get(name) for name in STRIPE_KEY_VARIABLES):
        secret_key, publishable_key = (env[name] for name in STRIPE_KEY_VARIABLES)
        if not (secret_key.startswith("sk_test_") and publishable_key.startswith("pk_test_")):
            raise LocalStripeError("the local shop takes test-mode Stripe keys only (sk_test_…, pk_test_…)")
        return LocalPayments(
            stripe_secret_key=secret_key,
            stripe_publishable_key=publishable_key,
            stripe_webhook_secret=env.get(STRIPE_WEBHOOK_SECRET_VARIABLE) or "whsec_" + secrets.token_hex(24),
            api_base=None,
            paypal_client_id=paypal_id,
            paypal_client_secret=paypal_secret,
        )
    return start_localstripe(webhook_url, paypal_client_id=paypal_id, paypal_client_secret=paypal_secret)


def start_localstripe(
    webhook_url: str, *, paypal_client_id: str = "", paypal_client_secret: str = ""
) -> LocalPayments:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - this interpreter and a fixed module, no shell
        [sys.executable, "-c", LAUNCHER, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    payments = LocalPayments(
        stripe_secret_key=LOCALSTRIPE_SECRET_KEY,
        stripe_publishable_key=LOCALSTRIPE_PUBLISHABLE_KEY,
        stripe_webhook_secret="whsec_" + secrets.token_hex(24),
        api_base=f"http://127.0.0.1:{port}",
        process=process,
        paypal_client_id=paypal_client_id,
        paypal_client_secret=paypal_client_secret,
    )
    try:
        _wait_until_serving(payments)
        _post(
            f"{payments.api_base}/_config/webhooks/{WEBHOOK_ID}",
            {"url": webhook_url, "secret": payments.stripe_webhook_secret},
        )
    except BaseException:
        payments.stop()
        raise
    logger.info("localstripe serving at %s, webhooks to %s", payments.api_base, webhook_url)
    return payments


def _wait_until_serving(payments: LocalPayments) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert payments.process is not None
        if payments.process.poll() is not None:
            raise LocalStripeError(f"localstripe exited with {payments.process.returncode}")
        try:
            with urllib.request.urlopen(f"{payments.api_base}/js.stripe.com/v3/", timeout=1):  # noqa: S310 - our own localstripe on loopback
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise LocalStripeError(f"localstripe did not answer within {START_TIMEOUT_SECONDS:.0f} s")


def _post(url: str, fields: dict[str, Any]) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own localstripe on loopback
        url, data=urllib.parse.urlencode(fields).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            return
    except urllib.error.HTTPError as error:
        raise LocalStripeError(f"localstripe refused {url}: {error.code}") from error
