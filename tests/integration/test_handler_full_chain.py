"""Through the handlers: Inspect, Plan, Create, Record; the child ends; Plan, Finalize, Record."""

from __future__ import annotations

import json
from typing import Any

from gtchain_runtime.handlers.observability import chain_context
from gtchain_runtime.usecases.inspect import inspect_job as inspect_service
from gtchain_runtime.usecases.plan import plan_chain as plan_service
from tests.support.chain_steps import ROOT, execute, run_until_finished, s3_text
from tests.support.handler_env import BUCKET, ProjectAws, state_change_event

CHILD = "Streetscenes-Job1-chain-1"


def test_stopped_root_is_chained_then_the_chain_is_finalized(project_aws: ProjectAws) -> None:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(ROOT, JobBehaviour(stop_after=30))
    project_aws.create_root_job(ROOT, 50)
    root = run_until_finished(project_aws, ROOT)
    assert root["LabelingJobStatus"] == "Stopped"

    first = execute(state_change_event(root["LabelingJobArn"], "Stopped", "event-root"))
    plan = first["plan"]
    assert plan["decision"] == "CHAIN", plan["reason"]
    assert plan["counts"]["labeled"] == 30 and plan["counts"]["remaining"] == 20
    assert (
        plan["request"]["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
        == plan["chained_manifest_uri"]
    )
    assert len(s3_text(project_aws, plan["chained_manifest_uri"]).splitlines()) == 50
    plan_document = json.loads(s3_text(project_aws, plan["plan_uri"]))
    assert plan_document["decision"] == "CHAIN" and plan_document["counts"] == plan["counts"]
    assert first["child"] == {"child_name": CHILD, "child_arn": first["child"]["child_arn"], "created": True}
    assert first["record"] == {"recorded": True, "notified": True, "gave_up": False}

    # The same event delivered twice: no second job, no second notification.
    again = execute(state_change_event(root["LabelingJobArn"], "Stopped", "event-root-duplicate"))
    assert again["child"]["created"] is False
    assert again["record"] == {"recorded": False, "notified": False, "gave_up": False}

    child = run_until_finished(project_aws, CHILD)
    assert child["LabelingJobStatus"] == "Completed"
    second = execute(state_change_event(child["LabelingJobArn"], "Completed", "event-child"))
    assert second["inspection"]["depth"] == 1 and second["inspection"]["parent"] == ROOT
    assert second["plan"]["decision"] == "COMPLETE", second["plan"]["reason"]
    final = second["final"]
    assert final["final_manifest_uri"] == f"s3://{BUCKET}/chains/{ROOT}/final/output.manifest"
    final_lines = [
        json.loads(line) for line in s3_text(project_aws, final["final_manifest_uri"]).splitlines()
    ]
    assert len(final_lines) == 50 and all(ROOT in line for line in final_lines)
    report = json.loads(s3_text(project_aws, final["report_uri"]))
    assert report["jobs"] == [ROOT, CHILD]
    # What each job did, in chain order: the root's 30 labels, the child's other 20 (the root's
    # 30 reached it labeled and were never re-sent).
    root_counts, child_counts = report["job_counts"]
    assert (root_counts["job"], root_counts["objects"], root_counts["labeled"]) == (ROOT, 50, 30)
    assert (root_counts["new_labels"], root_counts["unlabeled"]) == (30, 20)
    assert (child_counts["job"], child_counts["objects"], child_counts["labeled"]) == (CHILD, 50, 50)
    assert (child_counts["new_labels"], child_counts["carried_labels"]) == (20, 30)
    assert report["never_resent"] == 30
    assert_report_page_beside(project_aws, final["report_uri"], final_lines=len(final_lines))

    subjects = [n["Subject"] for n in project_aws.notifications()]
    assert any(f"resumed as {CHILD}" in s for s in subjects)
    assert any(f"chain {ROOT} complete" in s for s in subjects)


def assert_report_page_beside(project: ProjectAws, report_uri: str, *, final_lines: int) -> None:
    """Finalize writes the chain's page (domain.report_page) beside report.json, as a page."""
    key = report_uri.removeprefix(f"s3://{BUCKET}/").replace("report.json", "report.html")
    written = project.s3.get_object(Bucket=BUCKET, Key=key)
    assert written["ContentType"] == "text/html; charset=utf-8"
    page = written["Body"].read().decode()
    assert page.startswith("<!DOCTYPE html>") and "<title>Labeling chain Streetscenes-Job1" in page
    # Both jobs' bars, and the final manifest's count in the "Labeled" card.
    assert page.count('<g class="job"') == 2
    assert f"{final_lines:,} / {final_lines:,}" in page and f"chains/{ROOT}/final/output.manifest" in page


def test_dry_run_plan_writes_nothing(project_aws: ProjectAws) -> None:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(ROOT, JobBehaviour(stop_after=10))
    project_aws.create_root_job(ROOT, 20)
    run_until_finished(project_aws, ROOT)
    ctx = chain_context()
    before = project_aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="chains/").get("KeyCount", 0)
    plan = plan_service(ctx, inspect_service(ctx, ROOT), dry_run=True)
    assert plan.decision.value == "CHAIN" and plan.counts.remaining == 10
    assert project_aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="chains/").get("KeyCount", 0) == before == 0


def test_failed_job_without_output_for_a_permission_error_gives_up(project_aws: ProjectAws) -> None:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(
        ROOT,
        JobBehaviour(
            fail_after=0,
            write_output_on_failure=False,
            failure_reason="ClientError: Access Denied when reading s3://bucket/inputs/img00001.jpg",
        ),
    )
    project_aws.create_root_job(ROOT, 10)
    root = run_until_finished(project_aws, ROOT)
    assert root["LabelingJobStatus"] == "Failed"
    state = execute(state_change_event(root["LabelingJobArn"], "Failed"))
    assert state["plan"]["decision"] == "GIVE_UP"
    assert "permission" in state["plan"]["reason"] and "To do:" in state["plan"]["reason"]
    assert state["plan"]["counts"]["remaining"] == 10  # the input alone was diffed
    (message,) = project_aws.notifications()
    assert "needs a person" in message["Subject"]


def test_a_bad_override_tag_is_decided_as_a_give_up_that_names_it(project_aws: ProjectAws) -> None:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(ROOT, JobBehaviour(stop_after=10))
    project_aws.create_root_job(ROOT, 20)
    root = run_until_finished(project_aws, ROOT)
    project_aws.sagemaker.add_tags(
        ResourceArn=root["LabelingJobArn"], Tags=[{"Key": "gtchain:labeling-mode", "Value": "robots"}]
    )
    state = execute(state_change_event(root["LabelingJobArn"], "Stopped"))
    # Decided once, by the policy: no CHAIN plan that a later step must overrule.
    assert state["plan"]["decision"] == "GIVE_UP" and state["plan"]["request"] is None
    assert "cannot be created" in state["plan"]["reason"] and "'robots'" in state["plan"]["reason"]
    assert "child" not in state and state["record"]["gave_up"] is True


def test_a_report_page_that_cannot_be_drawn_never_fails_finalize(
    project_aws: ProjectAws, monkeypatch: Any
) -> None:
    """The final manifest and report.json are the chain's result; the page only draws them."""
    from gtchain_runtime.usecases import finalize

    def broken_page(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the page cannot be drawn")

    monkeypatch.setattr(finalize, "chain_report_page", broken_page)
    project_aws.create_root_job(ROOT, 10)
    root = run_until_finished(project_aws, ROOT)
    done = execute(state_change_event(root["LabelingJobArn"], root["LabelingJobStatus"], "event-root"))
    assert done["plan"]["decision"] == "COMPLETE", done["plan"]["reason"]
    assert len(s3_text(project_aws, done["final"]["final_manifest_uri"]).splitlines()) == 10
    assert json.loads(s3_text(project_aws, done["final"]["report_uri"]))["jobs"] == [ROOT]
    assert done["record"]["recorded"] is True
    page_key = f"chains/{ROOT}/final/report.html"
    assert "Contents" not in project_aws.s3.list_objects_v2(Bucket=BUCKET, Prefix=page_key)
