"""The use-case layer: one module per step of resuming a labeling job.

A handler parses its state into a payload model and calls one use case; the use case applies
the domain (manifests, requests, policy) and talks to AWS only through the adapters of its
`ChainContext`. `gtchain job resume` runs the same use cases in-process (`resume.py`).

    inspect   -> is the job of the event ours, and finished?
    plan      -> diff its manifests, decide CHAIN / COMPLETE / GIVE_UP, write the chained manifest
    create    -> CreateLabelingJob for the child, exactly once
    finalize  -> consolidate the chain into one final manifest and a report
    record    -> ledger write (once) and notification
    sweep     -> start executions for finished jobs that have no decision
    chain     -> the jobs of one chain (finalize, `gtchain chain status`)
"""
