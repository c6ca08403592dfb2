"""Settings shared by every test tier."""

from __future__ import annotations

import os

# jsii prints a multi-line banner on Node 20 into every test's output otherwise.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
