"""The shop's HMAC keys in DynamoDB: made once on first use, agreed on by concurrent first users,
read at most once per five minutes, and rotated by deleting the item."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from shop.contracts.tables import SIGNING_KEYS
from shop.platform import signing_keys
from shop.platform.process_state import reset_process_state
from shop.platform.settings import MissingSetting
from shop.platform.signed_links import ORDER_LINK, is_link_token, link_token


def _stored(shop_env: dict[str, str]) -> list[dict[str, object]]:
    table = boto3.resource("dynamodb").Table(os.environ[SIGNING_KEYS.env_var])
    return table.scan()["Items"]


def test_the_first_use_makes_a_random_32_byte_key_and_later_uses_read_it(shop_env: dict[str, str]) -> None:
    key = signing_keys.signing_key()
    [item] = _stored(shop_env)
    assert item["key_name"] == signing_keys.LINK_KEY
    assert bytes(item["secret"].value) == key  # type: ignore[attr-defined]
    assert len(key) == signing_keys.KEY_BYTES
    reset_process_state()  # another function instance: it reads the stored key, it does not make one
    assert signing_keys.signing_key() == key
    assert len(_stored(shop_env)) == 1


def test_concurrent_first_uses_agree_on_one_key(shop_env: dict[str, str]) -> None:
    def fresh_instance(_: int) -> bytes:
        signing_keys._cache.clear()
        return signing_keys.signing_key()

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(fresh_instance, range(16)))
    assert len(keys) == 1
    assert len(_stored(shop_env)) == 1


def test_a_token_made_by_one_instance_verifies_in_another(shop_env: dict[str, str]) -> None:
    token = link_token(ORDER_LINK, "ord_1")
    reset_process_state()
    assert is_link_token(ORDER_LINK, "ord_1", token)
    assert not is_link_token(ORDER_LINK, "ord_2", token)


def test_deleting_the_key_rotates_it_and_revokes_old_tokens(shop_env: dict[str, str]) -> None:
    token = link_token(ORDER_LINK, "ord_1")
    boto3.resource("dynamodb").Table(os.environ[SIGNING_KEYS.env_var]).delete_item(
        Key={"key_name": signing_keys.LINK_KEY}
    )
    reset_process_state()  # the five-minute cache ends
    assert not is_link_token(ORDER_LINK, "ord_1", token)


def test_a_function_without_the_table_cannot_sign(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIGNING_KEYS.env_var)
    reset_process_state()
    with pytest.raises(MissingSetting, match=SIGNING_KEYS.env_var):
        link_token(ORDER_LINK, "ord_1")
