"""Label verification output carries workers' comments in ``<attr>-metadata.worker-feedback``
(https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-verify-manifest.html): the manifest
engine must carry such a line into the chained and the final manifest untouched."""

from __future__ import annotations

import io

from gtchain_runtime.domain.consolidate import consolidate_chain
from gtchain_runtime.domain.manifest import diff_manifests

ATTRIBUTE = "verify-bounding-box"
# The page's example line, on one line as an output manifest holds it.
VERIFIED_WITH_COMMENTS = (
    b'{"source-ref": "s3://bucket/birds/1.jpg", "verify-bounding-box": "1", "verify-bounding-box-metadata": '
    b'{"class-name": "bad", "confidence": 0.93, "type": "groundtruth/label-verification", '
    b'"job-name": "verify-bounding-boxes", "human-annotated": "yes", '
    b'"creation-date": "2018-10-18T22:18:13.527256", "worker-feedback": ['
    b'{"comment": "The bounding box on the bird is too wide on the right side."}, '
    b'{"comment": "The bird on the upper right is not labeled."}]}}\n'
)
UNLABELED = b'{"source-ref": "s3://bucket/birds/2.jpg"}\n'


def test_the_chained_manifest_keeps_the_worker_feedback_line_byte_for_byte() -> None:
    chained, rejects = io.BytesIO(), io.BytesIO()
    inputs = io.BytesIO(b'{"source-ref": "s3://bucket/birds/1.jpg"}\n' + UNLABELED)

    plan = diff_manifests(inputs, io.BytesIO(VERIFIED_WITH_COMMENTS + UNLABELED), ATTRIBUTE, chained, rejects)

    assert chained.getvalue().splitlines(keepends=True) == [VERIFIED_WITH_COMMENTS, UNLABELED]
    assert (plan.labeled, plan.human_labeled, plan.unlabeled) == (1, 1, 1)


def test_the_final_manifest_keeps_the_worker_feedback_line_byte_for_byte() -> None:
    final, rejects = io.BytesIO(), io.BytesIO()
    outputs = [
        ("verify-1", io.BytesIO(VERIFIED_WITH_COMMENTS + UNLABELED)),
        ("verify-1-chain-1", io.BytesIO(VERIFIED_WITH_COMMENTS + UNLABELED)),
    ]

    consolidate_chain(outputs, ATTRIBUTE, final, rejects)

    assert VERIFIED_WITH_COMMENTS in final.getvalue().splitlines(keepends=True)
    assert rejects.getvalue() == b""
