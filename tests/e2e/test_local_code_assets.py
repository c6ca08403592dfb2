"""The local shop runs each function from its own code asset in the synthesized assembly, as Lambda does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cdk_app.local.template_model import read_shop_model

DOMAIN_PACKAGES = {
    "catalog",
    "reviews",
    "cart",
    "orders",
    "payments",
    "accounts",
    "email",
    "tracking",
    "marketing",
}


def _functions(local_templates: dict[str, dict[str, Any]]) -> dict[str, Path]:
    model = read_shop_model(local_templates)
    code_dirs = {}
    for function in model.functions:
        module, _ = function.module_and_attribute
        if not function.handler.endswith(".handler.handler"):
            continue  # CDK's own helpers (the site deployment's custom resource)
        assert function.code_dir is not None, function.name
        code_dirs[module.split(".")[0]] = Path(function.code_dir)
    return code_dirs


def test_every_function_has_its_domain_asset_with_its_handler(
    local_templates: dict[str, dict[str, Any]],
) -> None:
    code_dirs = _functions(local_templates)
    assert len(code_dirs) == 14  # the thirteen of cdk_app/function_catalog.py and the admin MFA trigger
    assert "admin_mfa_gate" in code_dirs
    for name, code_dir in code_dirs.items():
        assert (code_dir / name / "handler.py").is_file(), name
        assert (code_dir / "shop" / "platform").is_dir(), name
    payments = code_dirs["payment_api"]
    assert code_dirs["payment_processor"] == payments
    shipped = {path.name for path in (payments / "shop").iterdir() if path.is_dir()} & DOMAIN_PACKAGES
    assert "payments" in shipped
    assert not shipped & {"marketing", "tracking", "accounts", "email", "reviews"}
    assert not (payments / "shop_api").exists()


def test_each_handler_imports_from_its_asset_alone(local_templates: dict[str, dict[str, Any]]) -> None:
    """What a worker does at cold start, with nothing but the asset and the layer's packages on the path."""
    probe = (
        "import importlib, json, sys; sys.path[:0] = [sys.argv[1]]; "
        "module = importlib.import_module(sys.argv[2] + '.handler'); "
        "print(json.dumps(module.__file__))"
    )
    for name, code_dir in _functions(local_templates).items():
        result = subprocess.run(
            [sys.executable, "-c", probe, str(code_dir), name],
            cwd=code_dir,
            env={
                "AWS_DEFAULT_REGION": "us-east-1",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "SHOP_STAGE": "local",
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
        assert json.loads(result.stdout.splitlines()[-1]).startswith(str(code_dir)), name
