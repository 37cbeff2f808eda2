"""This repository's checkout: the folder of app.py, cdk.json, package.json and node_modules.

Only the repository's own app (app_factory), the choice of Node (node_runtime) and the sandbox's
deploy read it; the construct library (gtchain.cdk) never does, so an installed wheel works
without a checkout.
"""

from __future__ import annotations

from pathlib import Path

# This file is stacks/gtchain_cdk/checkout.py in the checkout.
CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
