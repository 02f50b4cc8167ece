"""Work spread over cores or machines: any concurrent.futures.Executor, results always in submission order.

`ordered_map` is handed a module-level function and picklable arguments, so the executor can be a
local process pool (the default, one process per core), a thread pool, or a Dask cluster's
(`cluster_executor`), without its caller knowing which. Results come back in the order the work
was given, so the output does not depend on the number or kind of workers.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator

IN_FLIGHT_PER_WORKER = 4  # bounded, so results are consumed (written) while others compute


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class LazyProcessPool(Executor):
    """A process pool started on the first submit, so a build with little to do pays nothing for it."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._started().submit(fn, *args, **kwargs)

    def start(self) -> None:
        """Start the workers now, while this process is small: a forked worker shares its parent's
        memory, and one forked after the cache is loaded would count all of it as its own."""
        self._started().submit(int).result()

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork: workers start in milliseconds and need not re-import the builder.
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_worker_setup)
        return self._pool

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _worker_setup() -> None:
    """Workers leave interruption to the build process (Ctrl-C reaches the whole process group,
    and a worker would print a traceback), and end when it ends, even if it is killed. They
    collect cycles as usual, whatever the build process does (build.py pauses its collector)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.enable()
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not on Linux: orphans end with their queue
        pass


def ordered_map(executor: Executor | None, fn: Callable, tasks: Iterable[tuple]) -> Iterator[Any]:
    """fn(*task) for each task, in order: in this process without an executor, else on it."""
    if executor is None:
        for task in tasks:
            yield fn(*task)
        return
    limit = IN_FLIGHT_PER_WORKER * max(1, getattr(executor, "workers", 0) or getattr(executor, "_max_workers", 0) or 4)
    pending: deque[Future] = deque()
    try:
        for task in tasks:
            pending.append(executor.submit(fn, *task))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


class ClusterUnavailable(Exception):
    """The Dask cluster cannot be used: `distributed` is not installed, or the scheduler does not answer."""


class ClusterExecutor(Executor):
    """The executor of a Dask distributed scheduler at `address` (tcp://HOST:PORT), whose workers
    may be other machines: the functions and arguments given to it travel by pickle, and so do
    their results. Needs the optional extra: pip install 'digest[dask]'."""

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ClusterUnavailable("--executor needs Dask's distributed package: pip install 'digest[dask]'") from None
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterUnavailable(f"no Dask scheduler answers at {address} ({error})") from None
        self._executor = self._client.get_executor(pure=False)
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)
        self._client.close()
