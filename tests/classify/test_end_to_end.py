"""End to end: a real git history of a K42-style kernel, built with the real ``git``, mined with
the miner, given contexts by the contexts stage, classified, and compared with the table
written by hand from reading its commits (see ``EXPECTED``).
"""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from classify.api import automatic_table, classify, verdicts_frame
from classify.config import load_config
from contexts import stage as contexts_stage
from contexts.settings import load_options
from miner.api import mine
from miner.db import open_database

STUDY = """
[study]
cutoff = 2004-01-01
[population]
paths = ["os/kernel/"]
[units]
bases = ["Obj"]
[contexts]
header_language = "cpp"
"""

OBJ_H = """\
#ifndef OBJ_H
#define OBJ_H
class Obj {
public:
    virtual ~Obj() { }
    virtual SysStatus destroy();
};
#endif
"""

FCM_H = """\
#include <Obj.H>
class FCMFile : public Obj {
protected:
    uval numPages;
__xpublic:
    virtual SysStatus getFrame(uval addr);
    virtual SysStatus sync();
    virtual SysStatus flush();
    DEFINE_FACTORY_BEGIN(Factory)
        virtual SysStatus create(ObjRef &ref);
    DEFINE_FACTORY_END(Factory)
};
"""

FCM_C = """\
#include "FCMFile.H"

SysStatus
FCMFile::getFrame(uval addr)
{
    if (addr >= numPages) {
        return -1;
    }
    return 0;
}

SysStatus
FCMFile::sync()
{
    return 0;
}

SysStatus
FCMFile::flush()
{
    return sync();
}
"""

EXC_H = "class ExceptionLocal {\npublic:\n    static void handleFault(uval addr);\n};\n"
EXC_C = (
    '#include "ExceptionLocal.H"\n\nvoid\nExceptionLocal::handleFault(uval addr)\n'
    "{\n    faultCount++;\n}\n"
)
TEST_C = "void\ntestFCM()\n{\n    runTest(1);\n}\n"
INIT_C = "void\ninitKernel()\n{\n    startCPUs(1);\n}\n"
TRACE_H = "enum TraceEvent {\n    TRACE_FAULT,\n    TRACE_SYNC,\n};\n"
LS_C = "int\nmain()\n{\n    return 0;\n}\n"

# Each commit: (date, message, {path: new text}), read as the expected table's evidence.
HISTORY = [
    (
        "2003-06-01",
        "Initial import of the kernel",
        {
            "os/kernel/Obj.H": OBJ_H,
            "os/kernel/mem/FCMFile.H": FCM_H,
            "os/kernel/mem/FCMFile.C": FCM_C,
            "os/kernel/exception/ExceptionLocal.H": EXC_H,
            "os/kernel/exception/ExceptionLocal.C": EXC_C,
            "os/kernel/tests/testFCM.C": TEST_C,
            "os/kernel/init/kinit.C": INIT_C,
            "os/kernel/trace/traceEvents.H": TRACE_H,
            "usr/ls.C": LS_C,
        },
    ),
    (
        "2004-02-01",
        "Fix off-by-one in getFrame",
        {"os/kernel/mem/FCMFile.C": FCM_C.replace(">=", ">")},
    ),
    (
        "2004-03-01",
        "Count faults in the exception path",
        {
            "os/kernel/exception/ExceptionLocal.C": EXC_C.replace(
                "faultCount++;", "faultCount += 1;\n    lastFault = addr;"
            ),
        },
    ),
    (
        "2004-04-01",
        "Make sync write back, and test it",
        {
            "os/kernel/mem/FCMFile.C": FCM_C.replace(">=", ">").replace(
                "    return 0;\n}\n\nSysStatus\nFCMFile::flush",
                "    return writeBack();\n}\n\nSysStatus\nFCMFile::flush",
            ),
            "os/kernel/tests/testFCM.C": TEST_C.replace(
                "runTest(1);", "runTest(1);\n    runTest(2);"
            ),
        },
    ),
    (
        "2004-05-01",
        "Start two CPUs at boot",
        {"os/kernel/init/kinit.C": INIT_C.replace("startCPUs(1)", "startCPUs(2)")},
    ),
]
FCM_C_4 = HISTORY[3][2]["os/kernel/mem/FCMFile.C"]
FCM_C_6 = FCM_C_4.replace("FCMFile::getFrame(uval addr)", "FCMFile::getFrame(uval addr, uval size)")
FCM_H_6 = FCM_H.replace("getFrame(uval addr)", "getFrame(uval addr, uval size)")
HISTORY += [
    (
        "2004-06-01",
        "Add a size parameter to getFrame",
        {"os/kernel/mem/FCMFile.H": FCM_H_6, "os/kernel/mem/FCMFile.C": FCM_C_6},
    ),
    (
        "2004-07-01",
        "Clean up: drop flush, callers use sync",
        {
            "os/kernel/mem/FCMFile.H": FCM_H_6.replace("    virtual SysStatus flush();\n", ""),
            "os/kernel/mem/FCMFile.C": FCM_C_6[: FCM_C_6.index("\nSysStatus\nFCMFile::flush")],
        },
    ),
    (
        "2004-08-01",
        "Comment the frame lookup",
        {
            "os/kernel/mem/FCMFile.C": FCM_C_6[
                : FCM_C_6.index("\nSysStatus\nFCMFile::flush")
            ].replace(
                "    if (addr > numPages)", "    /* past the end? */\n    if (addr > numPages)"
            ),
        },
    ),
    (
        "2004-09-01",
        "Trace page-ins",
        {
            "os/kernel/trace/traceEvents.H": TRACE_H.replace(
                "TRACE_SYNC,", "TRACE_SYNC,\n    TRACE_PAGEIN,"
            )
        },
    ),
    (
        "2004-10-01",
        "Fix ls column width",
        {"usr/ls.C": LS_C.replace("return 0;", "return width();")},
    ),
]

# Read from the commits above, by hand:
#  1 in population (before the cutoff); Obj itself and ExceptionLocal are not units: ruled out
#    first by code outside the units; only adds contexts: new feature.
#  2 only FCMFile::getFrame (FCMFile derives from Obj): measures 1-3 yes, plain, bug fix.
#  3 ExceptionLocal::handleFault is outside every unit: all measures no, not updatable.
#  4 FCMFile::sync plus test code under tests/: measure 1 no, measures 2 and 3 yes, plain.
#  5 initKernel is initialisation code by name: measure 1 no, 2 and 3 yes, plain.
#  6 FCMFile's declaration and FCMFile::getFrame, a parameter added: measures yes, adaptor.
#  7 deletes the method FCMFile::flush, a virtual removed: measures no, not updatable
#    (no adaptor restores removed functionality).
#  8 a comment only: cleaned diff empty, not in the population.
#  9 an enumerator added to a global enum: measures no, not updatable (enumeration).
# 10 outside os/kernel/: not in the population.
EXPECTED = {
    # commit: (in population, m1, m2, m3, kind, kind rule, purpose)
    1: (True, False, False, None, "not-updatable", "outside", "new-feature"),
    2: (True, True, True, True, "plain", "plain", "bug-fix"),
    3: (True, False, False, False, "not-updatable", "outside", "other"),
    4: (True, False, True, True, "plain", "plain", "other"),
    5: (True, False, True, True, "plain", "plain", "other"),
    6: (True, True, True, True, "adaptor", "adaptor", "new-feature"),
    7: (True, False, False, False, "not-updatable", "interface", "cleanup"),
    8: (False, None, None, None, None, None, "whitespace-comment"),
    9: (True, False, False, False, "not-updatable", "enum", "other"),
    10: (False, None, None, None, None, None, "bug-fix"),
}
# The table: population 8; measure 1: 2 of 8; measure 2: 4 of 8; measure 3: 4 of the 7 after
# the cutoff; kinds: plain 3, adaptor 1, not updatable 4.
EXPECTED_ROWS = [(2, 8), (4, 8), (4, 7), (3, 8), (1, 8), (4, 8)]
EXPECTED_HEADLINE = "25% / 50% / 57%"


def _plain(value: object) -> object:
    """Turn a frame cell into a plain value: a missing one is ``None``, a flag a ``bool``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value) if not isinstance(value, str) else value


def _commit(repo: Path, date: str, message: str, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    stamp = f"{date}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


@pytest.fixture
def kernel_history(tmp_path: Path) -> Path:
    """The kernel's git repository, one commit per entry of ``HISTORY``."""
    repo = tmp_path / "kernel"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    for date, message, files in HISTORY:
        _commit(repo, date, message, files)
    return repo


def test_mined_history_classified_as_read_by_hand(kernel_history: Path, tmp_path: Path) -> None:
    config_path = tmp_path / "dsukit.toml"
    config_path.write_text(STUDY)
    engine = open_database(f"sqlite:///{tmp_path / 'study.sqlite'}")
    mine(kernel_history, engine)
    with Session(engine) as session:
        contexts_stage.run(session, load_options(config_path), progress=False)
    stats = classify(engine, load_config(config_path))
    assert (stats.classified, stats.waiting) == (10, 0)

    frame = verdicts_frame(engine)
    messages = [message for _, message, _ in HISTORY]
    for number, expected in EXPECTED.items():
        row = frame[frame["message"] == messages[number - 1]].iloc[0]
        got = tuple(
            _plain(row[name])
            for name in ("in_population", "measure1", "measure2", "measure3", "kind", "kind_rule")
        ) + (row["purpose"],)
        assert got == expected, f"commit {number} ({messages[number - 1]}): {row['reasons']}"

    table = automatic_table(engine)
    assert table.population == 8
    assert [(row.count, row.n) for row in table.rows[:6]] == EXPECTED_ROWS
    assert table.headline == EXPECTED_HEADLINE
    again = classify(engine, load_config(config_path))
    assert (again.classified, again.recomputed, again.unchanged) == (0, 0, 10)
