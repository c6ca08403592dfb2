"""A marketing email's signed open pixel and click-through links: made by email_sender, checked by
marketing_automation_api.

Each link carries an HMAC under the stage's link key (shop.platform.signed_links): the pixel's covers
the email's MarketingQueue id, a click's covers the id and the exact target URL, so nobody can record
engagement for another email or turn the click route into a redirect to a URL of their choosing. A
click goes to the shop's own site only (`site_url`): the check runs when the link is made and again
when it is followed.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from shop.contracts.email_engagement import CAMPAIGN_PARAM, CLICK_PATH, MESSAGE_ID_PATTERN, OPEN_PATH
from shop.platform.settings import MissingSetting, get_settings
from shop.platform.signed_links import EMAIL_CLICK, EMAIL_OPEN, is_link_token, link_token

_MESSAGE_ID = re.compile(MESSAGE_ID_PATTERN)
# Longer targets are not links we make; the cap also bounds what a forged request makes us hash.
MAX_TARGET_LENGTH = 2048


def _api_url() -> str:
    url = get_settings().api_url
    if not url:
        raise MissingSetting("API_URL is not in this function's environment")
    return url.rstrip("/")


def _site() -> str:
    url = get_settings().site_url
    if not url:
        raise MissingSetting("SITE_URL is not in this function's environment")
    return url.rstrip("/")


def is_message_id(value: str) -> bool:
    return bool(_MESSAGE_ID.fullmatch(value))


def _click_subject(message_id: str, target: str) -> str:
    # A message id has no newline and a checked target none either: the two parts cannot be re-cut.
    return f"{message_id}\n{target}"


def is_shop_url(target: str) -> bool:
    """Whether `target` is a page of the stage's own site: same scheme and host, under its path."""
    if len(target) > MAX_TARGET_LENGTH or any(char in target for char in "\\\r\n\t ") or "@" in target:
        return False
    site, wanted = urlsplit(_site()), urlsplit(target)
    if (wanted.scheme, wanted.netloc.lower()) != (site.scheme, site.netloc.lower()):
        return False
    return wanted.path == site.path or wanted.path.startswith(site.path.rstrip("/") + "/")


def open_pixel_url(message_id: str) -> str:
    """The 1x1 image an email shows: GET /m/open/{message_id}?t=<token>."""
    path = OPEN_PATH.format(message_id=quote(message_id, safe=""))
    return f"{_api_url()}{path}?{urlencode({'t': link_token(EMAIL_OPEN, message_id)})}"


def click_url(message_id: str, target: str) -> str:
    """A link through GET /m/click/{message_id}?u=<target>&t=<token> to `target`, a page of the shop."""
    if not is_shop_url(target):
        raise ValueError(f"a marketing link goes to the shop's own pages only, not {target!r}")
    path = CLICK_PATH.format(message_id=quote(message_id, safe=""))
    token = link_token(EMAIL_CLICK, _click_subject(message_id, target))
    return f"{_api_url()}{path}?{urlencode({'u': target, 't': token})}"


def is_open_token(message_id: str, token: str) -> bool:
    return is_message_id(message_id) and is_link_token(EMAIL_OPEN, message_id, token)


def is_click_token(message_id: str, target: str, token: str) -> bool:
    """The token was made for this email and this target, and the target is (still) the shop's."""
    return (
        is_message_id(message_id)
        and is_shop_url(target)
        and is_link_token(EMAIL_CLICK, _click_subject(message_id, target), token)
    )


def landing_url(target: str, message_id: str | None) -> str:
    """Where a click lands: the target, with `mc=<message_id>` when the click was recorded (the site
    keeps it for the order's attribution, docs/marketing.md)."""
    if message_id is None:
        return target
    parts = urlsplit(target)
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != CAMPAIGN_PARAM
    ]
    query.append((CAMPAIGN_PARAM, message_id))
    return urlunsplit(parts._replace(query=urlencode(query)))


def home_page() -> str:
    return f"{_site()}/"
