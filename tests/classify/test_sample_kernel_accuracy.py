"""Accuracy of the predicted kinds against ground truth: the bundled sample kernel's history
(a real git repository written by ``sample_kernel.history``), mined, given contexts and
classified, compared with the kind each change's update module declares.

The sample kernel is Python. The contexts stage records interface changes of C and C++ only,
so the two interface changes of this history (a parameter added, a virtual method added) are
predicted plain updates rather than updates with an adaptor: 4 of 6 right. This test pins
that measured accuracy, so an improvement (or a regression) shows.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from classify.accuracy import confusion_matrix
from classify.api import classify, verdicts_frame
from classify.config import parse_config
from contexts import stage as contexts_stage
from miner.api import mine
from miner.db import open_database
from sample_kernel.catalogue import changes
from sample_kernel.history import write_history

STUDY = {"population": {"paths": ["kernel/"]}, "units": {"bases": ["Updatable"]}}
TRUTH = {"updatable": "plain", "adaptor": "adaptor", "not updatable": "not-updatable"}
PREDICTED = {
    "fcm_sync_priority": "plain",
    "signal_delivery_fix": "plain",
    "pmroot_frame_size": "plain",  # truth: adaptor (no Python interface changes recorded)
    "pm_reclaim_method": "plain",  # truth: adaptor (same)
    "page_fault_accounting": "not-updatable",
    "trace_point_renumbering": "not-updatable",
}


def test_predicted_kinds_against_the_sample_kernels_ground_truth(tmp_path: Path) -> None:
    commits = write_history(tmp_path / "history")
    engine = open_database(f"sqlite:///{tmp_path / 'study.sqlite'}")
    mine(tmp_path / "history", engine)
    with Session(engine) as session:
        contexts_stage.run(session, progress=False)
    classify(engine, parse_config(STUDY))
    frame = verdicts_frame(engine).set_index("key")

    truth = changes()
    predicted = {c.name: frame.loc[key, "kind"] for c, key in zip(truth, commits[1:], strict=True)}
    assert predicted == PREDICTED
    reasons = {
        c.name: frame.loc[key, "kind_reason"] for c, key in zip(truth, commits[1:], strict=True)
    }
    assert "handle_page_fault" in reasons["page_fault_accounting"]
    assert "enumeration TracePoint" in reasons["trace_point_renumbering"]

    matrix = confusion_matrix(
        ((predicted[c.name], TRUTH[c.kind]) for c in truth), labels=TRUTH.values()
    )
    assert (matrix.correct, matrix.total) == (4, 6)
    assert matrix.frame().loc["adaptor", "plain"] == 2
    assert matrix.recall("not-updatable") == 1.0
