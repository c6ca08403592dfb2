"""Issue #22: what each stage costs per month with zero traffic stays under its target (`make cost`).

Priced from the session's synthesized templates with cdk_app/prices.json; a failure prints the item list.
"""

from __future__ import annotations

import pytest

from cdk_app.cost import CostReport, load_prices, price_templates, render_report
from cdk_app.synth import SynthesizedStage

PRICES = load_prices()
DEV_TARGET_USD = 35.00
PROD_TARGET_USD = 70.00


def fixed_cost(stage: SynthesizedStage) -> CostReport:
    return price_templates(stage.templates, PRICES)


def items_of(report: CostReport, name: str) -> str:
    return "\n".join(render_report(report, title=f"stage '{name}'", prices=PRICES))


def test_dev_costs_at_most_its_target_with_zero_traffic(dev: SynthesizedStage) -> None:
    report = fixed_cost(dev)
    assert report.total <= DEV_TARGET_USD, items_of(report, "dev")


def test_prod_costs_at_most_its_target_with_zero_traffic(prod: SynthesizedStage) -> None:
    report = fixed_cost(prod)
    assert report.total <= PROD_TARGET_USD, items_of(report, "prod")


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_every_fixed_cost_of_the_stage_has_a_price(stage_name: str, request: pytest.FixtureRequest) -> None:
    # A node type or endpoint the table cannot price would make the targets above pass by accident.
    stage: SynthesizedStage = request.getfixturevalue(stage_name)
    assert fixed_cost(stage).missing_prices == ()
