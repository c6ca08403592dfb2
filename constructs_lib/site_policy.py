"""What the web pages load from payment providers, and the Content-Security-Policy that allows exactly that.

One place for both halves: config.json tells checkout.js which Stripe.js and PayPal SDK to load, and
the policy CloudFront sends is built from the same URLs, so a page can never load a script the policy
refuses or the policy allow an origin no page uses. The local shop builds both from its localstripe.
Plain Python (no CDK): the local runner and the browser tests import it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

STRIPE_JS_URL = "https://js.stripe.com/v3/"
# Stripe.js calls the API from the page and runs 3-D Secure in frames of these origins.
STRIPE_API_ORIGIN = "https://api.stripe.com"
STRIPE_FRAME_ORIGINS = ("https://js.stripe.com", "https://hooks.stripe.com")
PAYPAL_SDK_URL = "https://www.paypal.com/sdk/js"
# The PayPal buttons open frames and call home on PayPal's live and sandbox hosts.
PAYPAL_ORIGINS = ("https://www.paypal.com", "https://www.sandbox.paypal.com")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class PaymentScripts:
    """The publishable half of the payment setup of one stage (no secret is ever here)."""

    stripe_publishable_key: str = ""
    stripe_js_url: str = STRIPE_JS_URL
    # Where Stripe.js's own API calls go: Stripe, or localstripe (which serves its Stripe.js too).
    stripe_api_origin: str = STRIPE_API_ORIGIN
    paypal_client_id: str = ""
    paypal_sdk_url: str = PAYPAL_SDK_URL

    def site_config(self) -> dict[str, Any]:
        """The keys config.json carries for checkout.js; an empty key means "not offered here"."""
        return {
            "stripePublishableKey": self.stripe_publishable_key,
            "stripeJsUrl": self.stripe_js_url,
            "paypalClientId": self.paypal_client_id,
            "paypalSdkUrl": self.paypal_sdk_url,
        }

    def content_security_policy(self, *, api_origins: tuple[str, ...] = ()) -> str:
        """Scripts, styles and calls only from the site, the exact AWS origins it calls (`api_origins`:
        none locally, where the API shares the site's origin) and the payment providers it loads; no
        inline script, no framing of the shop."""
        stripe = origin_of(self.stripe_js_url)
        paypal = origin_of(self.paypal_sdk_url)
        paypal_origins = tuple(dict.fromkeys((paypal, *PAYPAL_ORIGINS)))
        scripts = " ".join(dict.fromkeys(("'self'", stripe, paypal)))
        connect = " ".join(dict.fromkeys(("'self'", *api_origins, self.stripe_api_origin, *paypal_origins)))
        frames = " ".join(dict.fromkeys((stripe, *STRIPE_FRAME_ORIGINS, *paypal_origins)))
        return (
            f"default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data: https:; "
            f"connect-src {connect}; frame-src {frames}; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'"
        )
