"""The demo's figure: throughput over time with every update's phases, and pending conversions.

The top panel is the study's Figure 3 in spirit: jobs per minute in 100 ms buckets (and a 1 s
moving average), the number of clients as a step line, each update numbered and shaded from when it
was applied to when it completed, refused updates as dashed lines.
The middle panel shows how many objects were still pending lazy conversion, the bottom one the
p99 latency of the calls that ended in each 100 ms bucket.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.patches import Patch  # noqa: E402

from sample_kernel.demo import DemoResult  # noqa: E402

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def moving_average(values: tuple[float, ...], width: int) -> list[float]:
    """Return the centred moving average of ``values`` over ``width`` points."""
    half = width // 2
    out = []
    for index in range(len(values)):
        window = values[max(index - half, 0) : index + width - half]
        out.append(sum(window) / len(window))
    return out


def _client_steps(result: DemoResult) -> tuple[list[float], list[int]]:
    times = [step.at for step in result.config.steps] + [result.config.duration]
    counts = [step.clients for step in result.config.steps]
    return times, counts + counts[-1:]


def write_timeline(result: DemoResult, path: Path) -> Path:
    """Draw the demo's timeline as a PNG at ``path``; return the path."""
    report = result.report
    fig, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(11, 8.5), sharex=True, gridspec_kw={"height_ratios": [3, 1, 1]}
    )
    times = report.bucket_times()
    jpm = [v / 1000 for v in report.jobs_per_minute]
    top.plot(times, jpm, color="0.75", linewidth=0.8, label="jobs/min (100 ms buckets)")
    top.plot(
        times,
        moving_average(tuple(jpm), 10),
        color="black",
        linewidth=1.6,
        label="jobs/min (1 s average)",
    )
    top.set_ylabel("thousand jobs per minute")
    top.set_ylim(bottom=0)
    clients = top.twinx()
    steps_t, steps_n = _client_steps(result)
    clients.step(steps_t, steps_n, where="post", color="tab:gray", linestyle=":", label="clients")
    clients.set_ylabel("clients")
    clients.set_ylim(0, max(steps_n) * 2)
    handles = []
    for index, outcome in enumerate(result.outcomes):
        colour = COLOURS[index % len(COLOURS)]
        top.axvline(
            outcome.started,
            color=colour,
            linewidth=1.2,
            linestyle="--" if outcome.refused is not None else "-",
        )
        top.text(
            outcome.started,
            0.97,
            f" {index + 1}",
            color=colour,
            fontsize=9,
            fontweight="bold",
            va="top",
            transform=top.get_xaxis_transform(),
        )
        if outcome.refused is None:
            end = outcome.finished if outcome.finished is not None else result.config.duration
            top.axvspan(outcome.started, max(end, outcome.started + 0.08), color=colour, alpha=0.3)
            mode = outcome.summary.split("(", 1)[1].split(")", 1)[0]
            label = f"{index + 1} {outcome.name}: {outcome.kind}, {mode}"
        else:
            label = f"{index + 1} {outcome.name}: refused (not updatable)"
        handles.append(Patch(color=colour, alpha=0.6, label=label))
    top.legend(loc="lower left", fontsize=8)
    fig.legend(
        handles=handles,
        loc="upper center",
        ncol=2,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, 0.955),
    )
    pending_t = [t for t, _ in result.pending]
    pending_n = [n for _, n in result.pending]
    middle.step(pending_t, pending_n, where="post", color="tab:blue")
    middle.set_ylabel("objects pending\nconversion")
    middle.set_ylim(bottom=0)
    p99 = [
        (t, v / 1000) for t, v in zip(times, report.p99_per_bucket, strict=True) if v is not None
    ]
    bottom.plot([t for t, _ in p99], [v for _, v in p99], color="tab:purple", linewidth=0.9)
    bottom.set_ylim(bottom=0)
    bottom.set_ylabel("p99 call\nlatency (ms)")
    for index, outcome in enumerate(result.outcomes):
        for axis in (middle, bottom):
            axis.axvline(
                outcome.started,
                color=COLOURS[index % len(COLOURS)],
                linewidth=0.8,
                linestyle="--" if outcome.refused is not None else "-",
            )
    bottom.set_xlabel("seconds since the workload started")
    fig.suptitle("Live updates of the sample kernel under an AIM7-style workload", y=0.995)
    fig.tight_layout(rect=(0, 0, 1, 0.90))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
