"""The local runner resolves CloudFormation intrinsics the way CloudFormation would, against local values."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.local.intrinsics import IntrinsicResolver, ResourceAddress, UnresolvableIntrinsicError
from cdk_app.local.resource_values import build_resource_map
from tests.e2e.handmade_templates import AUTH, DATA, MESSAGING, shop_templates


@pytest.fixture
def resolver() -> IntrinsicResolver:
    return IntrinsicResolver(build_resource_map(shop_templates()))


def test_ref_of_a_table_is_its_name_and_arn_is_in_the_local_account(resolver: IntrinsicResolver) -> None:
    assert resolver.resolve({"Ref": "ProductsTableEB101A78"}, DATA) == "local-Products"
    assert (
        resolver.resolve({"Fn::GetAtt": ["ProductsTableEB101A78", "Arn"]}, DATA)
        == "arn:aws:dynamodb:us-east-1:123456789012:table/local-Products"
    )


def test_get_att_accepts_the_dotted_string_form(resolver: IntrinsicResolver) -> None:
    assert resolver.resolve({"Fn::GetAtt": "orderprocessingQueue62ECB13D.QueueName"}, MESSAGING) == (
        "local-order-processing-queue"
    )


def test_import_value_resolves_in_the_exporting_stack(resolver: IntrinsicResolver) -> None:
    # The Ref inside the export is evaluated in the Data stack, not in the importing Api stack.
    imported = resolver.resolve(
        {"Fn::ImportValue": f"{DATA}:ExportsOutputRefProductsTable"}, "Shop-local-Api"
    )
    assert imported == "local-Products"


def test_join_select_split_like_cdk_alias_function_names(resolver: IntrinsicResolver) -> None:
    expression = {
        "Fn::Join": ["", [{"Fn::Select": [6, {"Fn::Split": [":", {"Ref": "shopapiLive6B7D2EF7"}]}]}, ":live"]]
    }
    assert resolver.resolve(expression, "Shop-local-Api") == "Shop-local-Api-shopapiFunction15FD6F6C:live"


def test_sub_with_pseudo_parameters_resource_attributes_variables_and_escapes(
    resolver: IntrinsicResolver,
) -> None:
    text = "arn:${AWS::Partition}:s3:::${Bucket}/${ProductsTableEB101A78.Arn}/${!Literal}"
    resolved = resolver.resolve({"Fn::Sub": [text, {"Bucket": "b"}]}, DATA)
    assert (
        resolved == "arn:aws:s3:::b/arn:aws:dynamodb:us-east-1:123456789012:table/local-Products/${Literal}"
    )


def test_no_value_drops_the_property(resolver: IntrinsicResolver) -> None:
    value: dict[str, Any] = {"Keep": "x", "Drop": {"Ref": "AWS::NoValue"}}
    assert resolver.resolve(value, DATA) == {"Keep": "x"}


def test_user_pool_client_ref_changes_when_moto_gives_the_real_id(resolver: IntrinsicResolver) -> None:
    resources = build_resource_map(shop_templates())
    resources.set(ResourceAddress(AUTH, "ShoppersUserPoolWebClient25EB5F4F"), "moto-client-id")
    imported = IntrinsicResolver(resources).resolve(
        {"Fn::ImportValue": f"{AUTH}:ExportsOutputRefShoppersUserPoolWebClient"}, "Shop-local-Api"
    )
    assert imported == "moto-client-id"


@pytest.mark.parametrize(
    "expression",
    [
        {"Ref": "NoSuchResource"},
        {"Fn::GetAtt": ["ProductsTableEB101A78", "NoSuchAttribute"]},
        {"Fn::ImportValue": "nobody-exports-this"},
        {"Fn::FindInMap": ["Map", "Key", "Value"]},
    ],
)
def test_what_cannot_be_known_locally_is_an_error_not_a_guess(
    resolver: IntrinsicResolver, expression: dict[str, Any]
) -> None:
    with pytest.raises(UnresolvableIntrinsicError):
        resolver.resolve(expression, DATA)
