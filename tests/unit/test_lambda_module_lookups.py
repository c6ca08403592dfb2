"""Code outside lambdas/ that finds a Lambda module by its name still names a module that exists."""

import ast
import importlib.util
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Each of these clears or resets a Lambda module's process state by name; a rename would otherwise
# turn the reset into a silent no-op (or an error only at the moment a shop or benchmark runs).
FILES_LOOKING_UP_LAMBDA_MODULES = (
    "cdk_app/local/function_runtime.py",
    "cdk_app/local/runner.py",
    "bench/bench_load.py",
    "tests/e2e/conftest.py",
)
SHOP_MODULE_NAME = re.compile(r"shop(\.[a-z_][a-z0-9_]*)+")


def _shop_module_names(relative_path: str) -> set[str]:
    tree = ast.parse((REPO_ROOT / relative_path).read_text(), filename=relative_path)
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SHOP_MODULE_NAME.fullmatch(node.value)
    }


@pytest.mark.parametrize("relative_path", FILES_LOOKING_UP_LAMBDA_MODULES)
def test_every_looked_up_module_resolves(relative_path: str) -> None:
    names = _shop_module_names(relative_path)
    assert names, f"{relative_path} names no shop module any more: update this test's list"
    for name in sorted(names):
        assert importlib.util.find_spec(name) is not None, f"{relative_path} looks up missing {name}"
        module_file = REPO_ROOT.joinpath("lambdas", *name.split(".")).with_suffix(".py")
        assert module_file.is_file(), f"{relative_path}: {name} is not the file {module_file}"
