"""Accuracy of the predicted kinds against ground truth: the bundled sample kernel's history
(a real git repository written by ``sample_kernel.history``), mined, given contexts and
classified, compared with the kind each change's update module declares.

The sample kernel is Python. The contexts stage reads Python class interfaces
(:mod:`contexts.python_interfaces`), so the two interface changes of this history are found
and judged expressible by an adaptor: ``PMRoot.getFrame``/``freeFrame`` gain a parameter, and
the ``PM`` base class gains ``reclaim``, shifting the later slots of ``PM``, ``PMRoot`` and
``PMLeaf``. The other changes add no interface change an adaptor is needed for (a private
method's return annotation spelled through a module type alias is the same type; new data
members are state transfer's business): 6 of 6 right. This test pins that measured accuracy,
so a regression shows.
"""

from __future__ import annotations

import re
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
    "pmroot_frame_size": "adaptor",
    "pm_reclaim_method": "adaptor",
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
    assert "parameter-added" in reasons["pmroot_frame_size"]
    assert "PMRoot.getFrame" in reasons["pmroot_frame_size"]  # Python's own separator
    assert "freeFrame" in reasons["pmroot_frame_size"]
    shifted = reasons["pm_reclaim_method"]
    for owner in ("PM", "PMRoot", "PMLeaf"):  # the base and both subclasses shift
        assert re.search(rf"virtual-added-shifting of {owner}\.reclaim\b", shifted)

    matrix = confusion_matrix(
        ((predicted[c.name], TRUTH[c.kind]) for c in truth), labels=TRUTH.values()
    )
    assert (matrix.correct, matrix.total) == (6, 6)
    assert matrix.recall("adaptor") == 1.0
    assert matrix.recall("not-updatable") == 1.0
