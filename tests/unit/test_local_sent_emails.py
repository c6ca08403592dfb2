"""/_local/emails: the shop's sent emails, each body in a sandboxed frame that cannot script the page."""

from __future__ import annotations

from cdk_app.local.runner import local_api_key_value
from cdk_app.local.sent_emails import SentEmail, emails_page


def test_each_email_body_is_escaped_into_a_sandboxed_frame() -> None:
    email = SentEmail(
        to=("shopper@shop.local",),
        sender="orders@example.com",
        subject="Your order <1>",
        html_body='<p onclick="x()">Thanks</p>"><script>alert(1)</script>',
    )
    page = emails_page([email]).body.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<iframe sandbox " in page
    assert "Your order &lt;1&gt;" in page
    assert "shopper@shop.local" in page


def test_no_email_yet_says_how_to_get_one() -> None:
    assert "place an order" in emails_page([]).body.decode()


def test_local_api_key_values_are_stable_and_do_not_spell_out_their_names() -> None:
    value = local_api_key_value("local-shop-api-admin")
    assert value == local_api_key_value("local-shop-api-admin")
    assert value != local_api_key_value("local-shop-api-partner")
    assert "admin" not in value
    assert value.startswith("lk_")
