"""Room to grow: no prod stack near CloudFormation's 500-resource limit, one code asset per domain."""

from __future__ import annotations

from cdk_app.code_assets import ALWAYS_SHIPPED, asset_files, shop_packages_for
from cdk_app.function_catalog import Domain, functions_of
from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import resources_of

# Half of CloudFormation's 500: each new function adds about 12 resources and each route 1-3.
MAX_RESOURCES_PER_STACK = 250


def test_no_prod_stack_exceeds_250_resources(prod: SynthesizedStage) -> None:
    sizes = {name: len(template["Resources"]) for name, template in prod.templates.items()}
    assert {name: size for name, size in sizes.items() if size > MAX_RESOURCES_PER_STACK} == {}, sizes


def test_every_domain_is_a_stack_of_its_own_functions(prod: SynthesizedStage) -> None:
    for domain in Domain:
        template = prod.template(domain.value)
        handlers = {
            resource["Properties"]["Handler"].split(".")[0]
            for resource in resources_of(template, "AWS::Lambda::Function").values()
            if resource["Properties"]["Handler"].endswith(".handler.handler")
        }
        assert handlers == {spec.name for spec in functions_of(domain)}, domain


def test_each_domain_ships_one_code_asset_of_its_own(prod: SynthesizedStage) -> None:
    keys: dict[Domain, set[str]] = {}
    for domain in Domain:
        functions = resources_of(prod.template(domain.value), "AWS::Lambda::Function").values()
        keys[domain] = {
            resource["Properties"]["Code"]["S3Key"]
            for resource in functions
            if resource["Properties"]["Handler"].endswith(".handler.handler")
        }
        assert len(keys[domain]) == 1, domain
    assert len({key for domain_keys in keys.values() for key in domain_keys}) == len(Domain)


def test_an_asset_holds_its_handlers_and_the_packages_they_import_only() -> None:
    payments = asset_files(["payment_api", "payment_processor"])
    top_level = {path.split("/")[0] for path in payments}
    assert top_level == {"payment_api", "payment_processor", "shop"}
    packages = {path.split("/")[1] for path in payments if path.startswith("shop/") and path.count("/") > 1}
    assert packages == set(shop_packages_for(["payment_api", "payment_processor"]))
    assert {"payments", *ALWAYS_SHIPPED} <= packages
    # No other domain's functions or domain code the payment functions never import.
    assert not packages & {"marketing", "tracking", "accounts", "email", "reviews"}
    assert "shop/__init__.py" in payments
