"""A multi-user workload in the spirit of AIM7/ReAIM: concurrent clients running a seeded job mix.

Every client is a thread with its own :class:`random.Random` (seeded from the run's seed and the
client's number, so a run's job sequence per client is reproducible). A job is a short burst of
system calls of one kind: file IO, process create and exit, IPC with a blocking receive, signals,
paging, or pure compute. The number of clients steps up over the run, as AIM7 adds users. Every
client records when each job ended and how long each system call took
(:mod:`sample_kernel.metrics`), and :meth:`Workload.stop` merges that into a report of jobs per
minute in 100 ms buckets and call-latency percentiles.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sample_kernel.metrics import BUCKET_SECONDS, ClientRecorder, WorkloadReport, summarise

log = logging.getLogger(__name__)

FILES_PER_CLIENT = 2
FILE_WORDS = 64
REGION_PAGES = 32


class ClientSyscalls(Protocol):
    """The system calls one client makes; the kernel's session implements them."""

    def file_write(self, file: int, offset: int, word: int) -> None: ...
    def file_read(self, file: int, offset: int) -> int: ...
    def file_sync(self, file: int, forced: bool) -> None: ...
    def spawn(self) -> int: ...
    def child_touch(self, pid: int, page: int) -> None: ...
    def exit_child(self, pid: int) -> None: ...
    def ipc_call(self, word: int) -> int: ...
    def post_signal(self, signal: int) -> None: ...
    def deliver_signals(self) -> int: ...
    def fault(self, page: int) -> None: ...
    def unmap(self, page: int) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class JobMix:
    """Relative weights of the job kinds (AIM7's workload mix files in miniature)."""

    file_io: int = 3
    process: int = 1
    ipc: int = 2
    signal: int = 1
    paging: int = 3
    compute: int = 2

    def kinds(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Return the kinds and their weights, in a fixed order."""
        names = ("file_io", "process", "ipc", "signal", "paging", "compute")
        return names, tuple(getattr(self, name) for name in names)


@dataclass(frozen=True)
class ClientStep:
    """From ``at`` seconds into the run on, ``clients`` clients are running."""

    at: float
    clients: int


@dataclass(frozen=True)
class WorkloadConfig:
    """How to drive the kernel."""

    steps: tuple[ClientStep, ...] = (ClientStep(0.0, 2), ClientStep(1.0, 4))
    mix: JobMix = JobMix()
    seed: int = 42
    bucket_seconds: float = BUCKET_SECONDS
    max_jobs_per_client: int | None = None
    """Stop each client after this many jobs (tests use it for an exactly known amount of work)."""


class Timed:
    """Wraps a client's system calls so that each one's latency and end time are recorded."""

    def __init__(self, syscalls: ClientSyscalls, recorder: ClientRecorder) -> None:
        self._syscalls = syscalls
        self._recorder = recorder

    def __getattr__(self, name: str) -> Callable[..., object]:
        target = getattr(self._syscalls, name)
        latencies, ends = self._recorder.call_latencies, self._recorder.call_ends
        clock = time.perf_counter

        def timed(*args: object) -> object:
            began = clock()
            result = target(*args)
            ended = clock()
            latencies.append(ended - began)
            ends.append(ended)
            return result

        return timed


def job_file_io(sys: ClientSyscalls, rng: random.Random) -> None:
    """Write and read back a few words of a file, then sync it (forced one time in four)."""
    file = rng.randrange(FILES_PER_CLIENT)
    for _ in range(3):
        offset, word = rng.randrange(FILE_WORDS), rng.getrandbits(63)
        sys.file_write(file, offset, word)
        if sys.file_read(file, offset) != word:
            raise AssertionError(f"file {file} offset {offset} lost a write")
    sys.file_sync(file, rng.random() < 0.25)


def job_process(sys: ClientSyscalls, rng: random.Random) -> None:
    """Create a child process, let it touch a few pages, and let it exit."""
    pid = sys.spawn()
    for _ in range(2):
        sys.child_touch(pid, rng.randrange(REGION_PAGES))
    sys.exit_child(pid)


def job_ipc(sys: ClientSyscalls, rng: random.Random) -> None:
    """Send a request to an IPC server and block receiving its reply."""
    word = rng.getrandbits(31)
    if sys.ipc_call(word) != word + 1:
        raise AssertionError("IPC server answered the wrong request")


def job_signal(sys: ClientSyscalls, rng: random.Random) -> None:
    """Post two signals to the client's own process and deliver them."""
    sys.post_signal(rng.randrange(1, 32))
    sys.post_signal(rng.randrange(1, 32))
    sys.deliver_signals()


def job_paging(sys: ClientSyscalls, rng: random.Random) -> None:
    """Fault in a few pages of the client's region and unmap one."""
    for _ in range(3):
        sys.fault(rng.randrange(REGION_PAGES))
    sys.unmap(rng.randrange(REGION_PAGES))


def job_compute(_sys: ClientSyscalls, rng: random.Random) -> None:
    """Pure user-mode computation: no system call at all."""
    total = 0
    for _ in range(200):
        total = (total * 31 + rng.getrandbits(16)) & 0xFFFFFFFF


JOBS: dict[str, Callable[[ClientSyscalls, random.Random], None]] = {
    "file_io": job_file_io,
    "process": job_process,
    "ipc": job_ipc,
    "signal": job_signal,
    "paging": job_paging,
    "compute": job_compute,
}


@dataclass
class _Client:
    number: int
    thread: threading.Thread | None = None
    recorder: ClientRecorder = field(default_factory=ClientRecorder)
    error: BaseException | None = None


class Workload:
    """Runs clients against a kernel until stopped; adds clients as the step schedule says.

    :param open_session: opens one client's system-call session (its process, files, ports).
    """

    def __init__(
        self, open_session: Callable[[int], ClientSyscalls], config: WorkloadConfig
    ) -> None:
        self._open_session = open_session
        self.config = config
        self._stop = threading.Event()
        self._clients: list[_Client] = []
        self._stepper = threading.Thread(target=self._step_clients, name="workload-steps")
        self.start_time = 0.0

    def start(self) -> None:
        """Start the first clients now and the rest on schedule."""
        self.start_time = time.perf_counter()
        self._stepper.start()

    def elapsed(self) -> float:
        """Seconds since :meth:`start`."""
        return time.perf_counter() - self.start_time

    def _step_clients(self) -> None:
        for step in self.config.steps:
            if self._stop.wait(max(step.at - self.elapsed(), 0.0)):
                return
            while len(self._clients) < step.clients:
                self._add_client(len(self._clients))

    def _add_client(self, number: int) -> None:
        client = _Client(number)
        client.thread = threading.Thread(
            target=self._run_client, args=(client,), name=f"client-{number}", daemon=True
        )
        self._clients.append(client)
        client.thread.start()

    def _run_client(self, client: _Client) -> None:
        rng = random.Random(self.config.seed * 10_007 + client.number)
        names, weights = self.config.mix.kinds()
        recorder = client.recorder
        limit = self.config.max_jobs_per_client
        try:
            session = self._open_session(client.number)
            timed = Timed(session, recorder)
            done = 0
            while not self._stop.is_set() and (limit is None or done < limit):
                kind = rng.choices(names, weights)[0]
                JOBS[kind](timed, rng)  # type: ignore[arg-type]
                recorder.job_ends.append(time.perf_counter())
                recorder.jobs_by_kind[kind] = recorder.jobs_by_kind.get(kind, 0) + 1
                done += 1
            session.close()
        except BaseException as error:  # reported by stop(); a client must not die silently
            log.exception("client %d failed", client.number)
            client.error = error

    def wait_clients_done(self, timeout: float | None = None) -> None:
        """Wait until every started client has finished (with ``max_jobs_per_client``)."""
        self._stepper.join(timeout)
        for client in list(self._clients):
            if client.thread is not None:
                client.thread.join(timeout)

    def stop(self) -> WorkloadReport:
        """Stop every client, wait for them, and return the run's report."""
        stop_time = time.perf_counter()
        self._stop.set()
        self._stepper.join()
        for client in self._clients:
            if client.thread is not None:
                client.thread.join()
        errors = [c for c in self._clients if c.error is not None]
        if errors:
            raise WorkloadError(errors[0].number, errors[0].error)
        recorders = [client.recorder for client in self._clients]
        return summarise(recorders, self.start_time, stop_time, self.config.bucket_seconds)


class WorkloadError(Exception):
    """A client failed: the kernel returned a wrong result or raised."""

    def __init__(self, client: int, error: BaseException | None) -> None:
        super().__init__(f"workload client {client} failed: {error!r}")
        self.client = client
        self.error = error
