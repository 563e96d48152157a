"""Benchmarks of the update runtime, side by side in one run (not part of the test suite).

    python3 bench/bench_runtime.py            # full run (about a minute)
    python3 bench/bench_runtime.py --quick    # smaller sizes

Prints: a call through the object translation table against a direct Python method call (the
fast path ``ott[ref][n](...)`` and the checked ``Runtime.call``); a create/call/destroy loop
with factory tracking on and off; module load time; lazy marking cost per instance for 1k, 10k
and 100k live objects; and the p50/p99 latency of calls to an object the update does not touch,
steady and while a lazy update of 100k objects is marked, quiesced and converted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import threading
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from update_runtime import Runtime, Updatable, Update, UpdatePolicy, load_update, virtual  # noqa: E402


class Counter(Updatable):
    def __init__(self, start: int = 0) -> None:
        self.count = start

    @virtual
    def add(self, amount: int) -> int:
        self.count += amount
        return self.count

    @virtual
    def get(self) -> int:
        return self.count


class CounterV2(Counter, type_name="Counter", version=2):
    def get(self) -> int:
        return self.count


class Frames(Updatable):
    def __init__(self) -> None:
        self.free = list(range(64))

    @virtual
    def getFrame(self) -> int:  # noqa: N802
        return self.free.pop()

    @virtual
    def freeFrame(self, frame: int) -> int:  # noqa: N802
        self.free.append(frame)
        return 0


def best(stmt: str, env: dict, number: int, repeat: int = 7) -> float:
    """Best time per execution of ``stmt`` in nanoseconds."""
    return min(timeit.repeat(stmt, globals=env, number=number, repeat=repeat)) / number * 1e9


def bench_calls(number: int) -> None:
    rt = Runtime()
    rt.register(Counter)
    ref = rt.create("Counter")
    obj, ott, add = rt.obj(ref), rt.ott, Counter.slot("add")
    env = {"obj": obj, "ott": ott, "ref": ref, "ADD": add, "rt": rt}
    rt.generations.enter()
    direct = best("obj.add(1)", env, number)
    fast = best("ott[ref][ADD](1)", env, number)
    checked = best("rt.call(ref, ADD, 1)", env, number)
    rt.generations.leave()
    print(
        f"call: direct {direct:.0f} ns, table fast path {fast:.0f} ns ({fast / direct:.2f}x), "
        f"checked rt.call {checked:.0f} ns ({checked / direct:.2f}x)  [target <= 1.5x]"
    )


def bench_tracking(loops: int) -> None:
    results = {}
    for track in (True, False) * 4:
        rt = Runtime()
        factory = rt.register(Counter, track=track)
        ott, add = rt.ott, Counter.slot("add")
        started = time.perf_counter()
        for i in range(loops):
            ref = factory.create(i)
            vtable = ott[ref]
            for _ in range(20):
                vtable[add](1)
            factory.destroy(ref)
        results.setdefault(track, []).append(time.perf_counter() - started)
    on, off = min(results[True]), min(results[False])
    print(
        f"factory tracking: on {loops / on:,.0f} loops/s, off {loops / off:,.0f} loops/s "
        f"(create + 20 calls + destroy); tracking costs {100 * (on - off) / off:+.1f}%"
    )


def bench_module_load() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "counter_update.py"
        path.write_text(
            textwrap.dedent("""
            from update_runtime import Update, Updatable, virtual
            class Counter(Updatable, version=2):
                @virtual
                def add(self, amount): ...
            UPDATE = Update(name="counter_update", classes=(Counter,))
        """)
        )
        times = [load_update(path).load_seconds for _ in range(20)]
    print(f"module load: median {statistics.median(times) * 1e3:.2f} ms over 20 loads")


def bench_marking(sizes: list[int]) -> None:
    for size in sizes:
        rt = Runtime(UpdatePolicy(lazy_above=0))
        factory = rt.register(Counter)
        for i in range(size):
            factory.create(i)
        handle = rt.apply(Update(name="v2", classes=(CounterV2,)), mode="lazy")
        marking = handle.status().timings["marking"]
        started = time.perf_counter()
        rt.finish(handle)
        convert = time.perf_counter() - started
        print(
            f"lazy marking {size:>7,} objects: {marking * 1e3:8.2f} ms = "
            f"{marking / size * 1e6:.2f} us/object; "
            f"converting all: {convert / size * 1e6:.2f} us/object"
        )


def latencies(rt: Runtime, ref: int, stop: threading.Event, out: list[tuple[float, float]]) -> None:
    vtable_get, vtable_free = Frames.slot("getFrame"), Frames.slot("freeFrame")
    ott, clock = rt.ott, time.perf_counter
    while not stop.is_set():
        with rt.kernel_entry():
            started = clock()
            frame = ott[ref][vtable_get]()
            ott[ref][vtable_free](frame)
            out.append((started, clock() - started))


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1e6


def bench_latency(size: int) -> None:
    rt = Runtime(UpdatePolicy(lazy_above=0))
    factory = rt.register(Counter)
    rt.register(Frames)
    other = rt.create("Frames")
    for i in range(size):
        factory.create(i)
    stop, samples = threading.Event(), []
    caller = threading.Thread(target=latencies, args=(rt, other, stop, samples), name="caller")
    caller.start()
    warm = time.perf_counter() + 0.2  # the caller thread's first calls are not steady state
    time.sleep(1.2)
    steady_end = time.perf_counter()
    handle = rt.apply(Update(name="v2", classes=(CounterV2,)), mode="lazy")
    rt.start_background_converter(idle_threads=1, batch=256, interval=0.0005)
    handle.wait(120)
    update_end = time.perf_counter()
    stop.set()
    caller.join()
    rt.stop_background_converter()
    steady = [lat for at, lat in samples if warm <= at < steady_end]
    during = [lat for at, lat in samples if steady_end <= at < update_end]
    print(
        f"calls to another object, steady: p50 {p(steady, 0.5):.2f} us, "
        f"p99 {p(steady, 0.99):.2f} us "
        f"({len(steady):,} calls)"
    )
    print(
        f"  during a lazy update of {size:,} objects ({(update_end - steady_end) * 1e3:.0f} ms, "
        f"marking + quiescence + background conversion): p50 {p(during, 0.5):.2f} us, "
        f"p99 {p(during, 0.99):.2f} us ({len(during):,} calls); p99 ratio "
        f"{p(during, 0.99) / p(steady, 0.99):.2f}x  [target <= 2x]"
    )
    print(f"  {handle.status().summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    quick = parser.parse_args().quick
    print(f"Python {sys.version.split()[0]}")
    bench_calls(200_000 if quick else 1_000_000)
    bench_tracking(20_000 if quick else 100_000)
    bench_module_load()
    bench_marking([1_000, 10_000] if quick else [1_000, 10_000, 100_000])
    bench_latency(10_000 if quick else 100_000)


if __name__ == "__main__":
    main()
