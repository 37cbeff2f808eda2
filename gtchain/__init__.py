"""gtchain: resumes Amazon SageMaker Ground Truth labeling jobs hands-off.

Every importable name of the distribution lives under this package:

- ``gtchain.cdk``: the construct library (``GtChainProject``) for your own CDK app;
- ``gtchain.runtime``: the code the deployed Lambda functions run (shipped as their asset);
- ``gtchain.stacks``: the constructs ``GtChainProject`` is composed of, and this repo's app;
- ``gtchain.cli``: the ``gtchain`` operator command;
- ``gtchain.sandbox``: the offline sandbox (the ``gtchain[sandbox]`` extra).

This file is also the first file of every function's code asset: it imports nothing.
"""

__version__ = "0.1.0"
