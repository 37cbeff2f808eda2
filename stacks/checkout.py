"""This repository's checkout: the folder of app.py, cdk.json, package.json and node_modules.

Only the repository's own app (app_factory), the choice of Node (node_runtime) and the sandbox's
deploy read it; the construct library (gtchain.cdk) never does, so an installed wheel works
without a checkout.
"""

from __future__ import annotations

from pathlib import Path

# stacks/ is a folder of the checkout (gtchain/stacks is a symlink to it, resolved here).
CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
