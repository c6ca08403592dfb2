"""The whole local shop from the synthesized app: site, config.json, API behind the gateway, persistence.

One shop for the module; the last test restarts it from its --persist directory.
"""

from __future__ import annotations

import http.client
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from cdk_app.local.runner import SEED_MODULE, LocalShop, LocalShopOptions
from tests.e2e.conftest import reset_moto, running_shop

EMAIL = "persisted@example.com"
PASSWORD = "Correct-Horse-42!"


@pytest.fixture(scope="module")
def persist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("persist")


@pytest.fixture(scope="module")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    (root / "app.js").write_text("console.log('shop')")
    return root


def options(templates: dict[str, dict[str, Any]], persist_dir: Path, web_root: Path) -> LocalShopOptions:
    return LocalShopOptions(
        port=0,
        persist_dir=persist_dir,
        web_root=web_root,
        run_schedules=False,
        seed=False,
        templates=templates,
    )


@pytest.fixture(scope="module")
def shop(
    local_templates: dict[str, dict[str, Any]], persist_dir: Path, web_root: Path
) -> Iterator[LocalShop]:
    with running_shop(options(local_templates, persist_dir, web_root)) as running:
        yield running


def url(shop: LocalShop, path: str) -> str:
    assert shop.server is not None
    return f"{shop.server.url}{path}"


def id_token(shop: LocalShop) -> str:
    assert shop.aws is not None
    config = shop.web_config("http://unused")
    cognito = shop.aws.client("cognito-idp")
    result = cognito.initiate_auth(
        ClientId=config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


def test_config_json_points_the_site_at_the_local_api_and_user_pool(shop: LocalShop) -> None:
    config = requests.get(url(shop, "/config.json"), timeout=5).json()
    assert config["apiUrl"] == url(shop, "/api")
    assert shop.aws is not None
    assert config["cognitoEndpoint"] == shop.aws.endpoint_url
    pools = shop.aws.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"]
    assert config["userPoolId"] in {pool["Id"] for pool in pools}
    assert shop.model is not None
    assert config["stage"] == "local"
    assert config["apiStage"] == shop.model.api_stage
    # Cards go through the shop's own localstripe: its Stripe.js, its keys (no Stripe keys in the env).
    assert shop.payments is not None
    assert shop.payments.api_base is not None
    # Served through the site itself: a page may not load a script from another loopback port.
    assert config["stripeJsUrl"] == url(shop, "/_local/stripe/js.stripe.com/v3/")
    assert config["stripePublishableKey"] == "pk_test_localstripe"
    assert config["paypalClientId"] == ""
    assert requests.get(config["stripeJsUrl"], timeout=5).text.count("localstripe") > 0


def test_static_files_and_the_generated_index(shop: LocalShop) -> None:
    assert requests.get(url(shop, "/app.js"), timeout=5).text == "console.log('shop')"
    index = requests.get(url(shop, "/"), timeout=5)
    assert index.status_code == 200
    assert "/api/products" in index.text
    assert shop.server is not None
    connection = http.client.HTTPConnection(urlsplit(shop.server.url).netloc, timeout=5)
    connection.request("GET", "/../../etc/passwd")
    assert connection.getresponse().status == 404


def test_unknown_api_route_is_api_gateways_403(shop: LocalShop) -> None:
    response = requests.get(url(shop, "/api/no/such/route"), timeout=5)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


def test_cached_catalog_route_hits_the_stage_cache_the_second_time(shop: LocalShop) -> None:
    requests.delete(url(shop, "/_local/cache"), timeout=5)
    first = requests.get(url(shop, "/api/products"), params={"category": "Books"}, timeout=10)
    second = requests.get(url(shop, "/api/products"), params={"category": "Books"}, timeout=10)
    assert first.status_code == 200, first.text
    assert (first.headers["X-Local-Cache"], second.headers["X-Local-Cache"]) == ("Miss", "Hit")
    assert second.content == first.content
    stats = requests.get(url(shop, "/_local/cache"), timeout=5).json()
    assert stats["routes"]["GET /products"]["hits"] >= 1


def test_handlers_flush_stage_cache_reaches_the_emulated_cache(shop: LocalShop) -> None:
    import boto3

    requests.get(url(shop, "/api/products"), params={"category": "Books"}, timeout=10)
    assert (
        requests.get(url(shop, "/api/products"), params={"category": "Books"}, timeout=10).headers[
            "X-Local-Cache"
        ]
        == "Hit"
    )
    assert shop.runtime is not None
    assert shop.model is not None
    environment = shop.runtime.environment_of(shop.model.functions[0].address)
    # What a handler's boto3.client("apigateway") uses: the runner's control endpoint, not moto.
    apigateway = boto3.client(
        "apigateway", endpoint_url=environment["AWS_ENDPOINT_URL_API_GATEWAY"], region_name="us-east-1"
    )
    apigateway.flush_stage_cache(restApiId="local", stageName=shop.model.api_stage)
    after = requests.get(url(shop, "/api/products"), params={"category": "Books"}, timeout=10)
    assert after.headers["X-Local-Cache"] == "Miss"


def test_signed_in_routes_need_a_cognito_token_that_moto_signed(shop: LocalShop) -> None:
    assert shop.aws is not None
    config = shop.web_config("http://unused")
    cognito = shop.aws.client("cognito-idp")
    cognito.sign_up(
        ClientId=config["userPoolClientId"],
        Username=EMAIL,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": EMAIL}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=config["userPoolId"], Username=EMAIL)
    anonymous = requests.get(url(shop, "/api/cart"), timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"message": "Unauthorized"}
    signed_in = requests.get(url(shop, "/api/cart"), headers={"Authorization": id_token(shop)}, timeout=10)
    assert signed_in.status_code not in (401, 403)
    assert signed_in.status_code < 500, signed_in.text


def test_a_schedule_can_be_fired_by_hand(shop: LocalShop) -> None:
    assert shop.model is not None
    if not shop.model.schedules:
        pytest.skip("the Api stack declares no schedule")
    schedule = shop.model.schedules[0]
    response = requests.post(url(shop, f"/_local/schedules/{schedule.address.logical_id}"), timeout=30)
    assert response.json()["fired"] == str(schedule.address)
    assert requests.post(url(shop, "/_local/schedules/no-such-schedule"), timeout=5).status_code == 404


def test_data_users_and_ids_survive_a_restart_with_persist(
    shop: LocalShop, local_templates: dict[str, dict[str, Any]], persist_dir: Path, web_root: Path
) -> None:
    assert shop.aws is not None
    dynamodb = shop.aws.client("dynamodb")
    item = {"product_id": {"S": "persisted-1"}, "name": {"S": "Kept"}, "price": {"N": "1200"}}
    dynamodb.put_item(TableName="local-Products", Item=item)
    assert shop.model is not None
    bucket = shop.model.buckets[0].name
    shop.aws.client("s3").put_object(
        Bucket=bucket, Key="images/p.png", Body=b"\x89PNG", ContentType="image/png"
    )
    before = shop.web_config("http://unused")
    sub = shop.aws.client("cognito-idp").admin_get_user(UserPoolId=before["userPoolId"], Username=EMAIL)[
        "Username"
    ]
    shop.stop()
    reset_moto()  # nothing survives in moto itself: what comes back comes from the persist directory
    seeded: list[LocalShop] = []
    fake_seed = types.ModuleType(SEED_MODULE)
    fake_seed.seed = seeded.append  # type: ignore[attr-defined]
    sys.modules[SEED_MODULE] = fake_seed
    restart_options = options(local_templates, persist_dir, web_root)
    restart_options.seed = True
    try:
        restarted = LocalShop(restart_options).start()
    finally:
        del sys.modules[SEED_MODULE]
    try:
        assert seeded == [restarted]  # the seed hook runs, after the restore, with the whole shop
        assert restarted.aws is not None
        after = restarted.web_config("http://unused")
        assert (after["userPoolId"], after["userPoolClientId"]) == (
            before["userPoolId"],
            before["userPoolClientId"],
        )
        kept = restarted.aws.client("dynamodb").get_item(
            TableName="local-Products", Key={"product_id": {"S": "persisted-1"}}
        )
        assert kept["Item"] == item
        image = restarted.aws.client("s3").get_object(Bucket=bucket, Key="images/p.png")
        assert (image["Body"].read(), image["ContentType"]) == (b"\x89PNG", "image/png")
        user = restarted.aws.client("cognito-idp").admin_get_user(
            UserPoolId=after["userPoolId"], Username=EMAIL
        )
        assert user["Username"] == sub
        assert id_token(restarted).count(".") == 2  # the persisted password still signs in
    finally:
        restarted.stop()
