"""gtchain: resumes Amazon SageMaker Ground Truth labeling jobs hands-off.

The distribution holds three packages, each a folder of the repository (docs/architecture.md,
"Map"):

- ``gtchain_runtime`` (``lambdas/gtchain_runtime/``): the code the deployed functions run;
- ``gtchain_cdk`` (``stacks/gtchain_cdk/``): the constructs, re-exported by ``gtchain.cdk``;
- ``gtchain`` (``gtchain/``): the ``gtchain`` operator command, the offline sandbox and the demo.
"""

__version__ = "0.1.0"
