"""The emails the local shop sent, read back from moto's SES: a page at /_local/emails.

moto keeps every message SES accepted (with its HTML body) and lists them in its own
`/moto-api/data.json`, so this works with the runner's moto and with one you run yourself.
"""

from __future__ import annotations

import html
import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from cdk_app.local.api_gateway import HttpResponse

EMAILS_PATH = "/_local/emails"


@dataclass(frozen=True)
class SentEmail:
    to: tuple[str, ...]
    sender: str
    subject: str
    html_body: str


def sent_emails(aws_endpoint_url: str) -> list[SentEmail]:
    """Newest first."""
    with urllib.request.urlopen(f"{aws_endpoint_url}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - moto on loopback
        data: dict[str, Any] = json.load(response)
    messages = (data.get("ses") or {}).get("Message") or []
    return [
        SentEmail(
            to=tuple((message.get("destinations") or {}).get("ToAddresses") or ()),
            sender=str(message.get("source", "")),
            subject=str(message.get("subject", "")),
            html_body=str(message.get("body", "")),
        )
        for message in reversed(messages)
    ]


def emails_page(emails: list[SentEmail]) -> HttpResponse:
    """Each email's headers and its body in a sandboxed frame (no scripts, no access to this page)."""
    items = "".join(
        "<article>"
        f"<h2>{html.escape(email.subject)}</h2>"
        f"<p>To {html.escape(', '.join(email.to))} · from {html.escape(email.sender)}</p>"
        f'<iframe sandbox title="{html.escape(email.subject)}"'
        f' srcdoc="{html.escape(email.html_body)}"></iframe>'
        "</article>"
        for email in emails
    )
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Sent emails (local shop)</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}"
        "iframe{width:100%;height:28rem;border:1px solid #ccc}</style>"
        f"<h1>Emails the local shop sent ({len(emails)})</h1>"
        + (items or "<p>None yet: place an order, or turn on marketing emails on the preferences page.</p>")
    )
    return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())
