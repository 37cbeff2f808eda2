"""Fault knob of Ground Truth: a labeling job older than it is.

``age_job(name, by)``: shift a labeling job's CreationTime and LastModifiedTime back, so that
the sweep's grace period (15 minutes) is over without waiting.
"""

from __future__ import annotations

from datetime import timedelta

from gtchain.sandbox.fault_book import FaultBook


class JobFaults(FaultBook):
    def age_job(self, name: str, by: timedelta) -> None:
        from gtchain.sandbox.groundtruth.lifecycle import models

        for job in models.all_jobs():
            if job.name.lower() == name.lower():
                with models.STATE_LOCK:
                    job.creation_time -= by
                    job.last_modified_time -= by
                return
        raise LookupError(f"no labeling job named {name}")
