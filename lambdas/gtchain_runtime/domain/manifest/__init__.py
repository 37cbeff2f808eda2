"""The manifest engine: diff a job's input and output manifests into the chained input manifest,
count what one manifest holds.

Semantics (docs/architecture.md, DESIGN.md):

- one manifest line is one data object, as in Ground Truth (whose datasetObjectId is the
  line's index); its key is ``source-ref``, else ``source`` (the two never name the same
  object). A key may repeat (a text dataset repeats short texts): the n-th input line of a key
  and the n-th output line of that key are one object. Repeated keys are counted
  (``repeated_keys``), never dropped;
- for the label attribute A, a line is labeled (A present, non-null, A-metadata without
  ``failure-reason``; machine-labeled when A-metadata says ``"human-annotated": "no"``),
  failed (A-metadata has ``failure-reason``) or unlabeled;
- for an object in both files the output line is the base (Ground Truth copies every input
  attribute into it) and the output's label wins; when the output line has no label but the
  input line has one (third-party label), that label is kept; an object only in the input keeps
  its input line;
- the chained manifest has one line per object, in input order, then the objects only the
  output names, in output order: labeled lines byte for byte, failed lines with A and
  A-metadata removed (so Ground Truth sends them again), unlabeled lines as they were (a null A
  or a stray A-metadata is removed too, so Ground Truth does not skip the object);
- every line that is not an object goes to the rejects file (JSON lines ``{"file", "line",
  "reason"}``): invalid UTF-8, invalid JSON, not an object, over 100,000 characters, no key.
  Blank lines carry no object: they are skipped and not reported.

Modules: ``diff`` (the entry point, ``diff_manifests``), ``lockstep`` (the fast path: output
in input order), ``general`` (any order, bad lines, repeated keys), ``keys`` (key hashes, line
readers, the key table), ``status`` (the label status rule, tallies), ``lines`` (parsing and
writing one line), ``plan`` (the counts and merged lines both paths share), ``stats``.
"""

from gtchain_runtime.domain.manifest.diff import diff_manifests
from gtchain_runtime.domain.manifest.lines import ManifestError, validate_label_attribute
from gtchain_runtime.domain.manifest.plan import ManifestPlan
from gtchain_runtime.domain.manifest.stats import ManifestStats, manifest_stats

__all__ = [
    "ManifestError",
    "ManifestPlan",
    "ManifestStats",
    "diff_manifests",
    "manifest_stats",
    "validate_label_attribute",
]
