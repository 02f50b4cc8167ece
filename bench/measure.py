"""One command run as a separate process: its wall time, its peak memory, and what it left in a folder.

Memory is read from the kernel in two ways. The largest single process is the larger of wait4()'s
ru_maxrss (the peak resident set of the process or of any descendant it reaped: exact, however short
the peak) and the VmHWM of every process of the tree sampled from /proc every 10 ms (which also sees
descendants nobody reaped). The whole tree's figure is the peak of the summed VmRSS over those samples,
for information: it counts pages that forked workers share more than once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.01


@dataclass(frozen=True)
class Run:
    seconds: float
    largest_mib: float  # peak resident memory of the largest single process of the tree
    tree_mib: float  # peak of the summed resident memory of the whole process tree (sampled)
    written: int  # files of the output folder with a new inode or mtime


@dataclass(frozen=True)
class Output:
    files: int
    total_bytes: int
    largest_page: str  # the largest .html file, relative to the output folder ("" if there is none)
    largest_page_bytes: int


def run_timed(command: list[str], out: Path, cwd: Path) -> Run:
    """Run `command` in `cwd` to completion; exit with its error output if it fails."""
    before = stamps(out)
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr)
        sampler = _MemorySampler(process.pid)
        sampler.start()
        # wait4, not Popen.wait: only wait4 returns the rusage with the peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{' '.join(command)} failed (exit {process.returncode}):\n"
                             f"{stderr.read().decode(errors='replace')[-3000:]}")
    after = stamps(out)
    largest_kib = max(usage.ru_maxrss, sampler.largest_kib)  # ru_maxrss is in KiB on Linux
    return Run(seconds, largest_kib / 1024, sampler.tree_kib / 1024,
               sum(1 for path, stamp in after.items() if before.get(path) != stamp))


class _MemorySampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.largest_kib = 0
        self.tree_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            total = 0
            for pid in _tree_pids(self.root):
                resident, high_water = _memory_kib(pid)
                total += resident
                self.largest_kib = max(self.largest_kib, resident, high_water)
            self.tree_kib = max(self.tree_kib, total)
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_pids(root: int) -> list[int]:
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as stream:
                    queue.extend(int(child) for child in stream.read().split())
        except OSError:
            pass  # the process has just exited
    return pids


def _memory_kib(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM of a process, in KiB (0 once it has exited)."""
    resident = high_water = 0
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    resident = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    high_water = int(line.split()[1])
    except OSError:
        pass
    return resident, high_water


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file under `folder` -> (inode, mtime): a file written again gets a new one."""
    found = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            stat = os.stat(path)
            found[path] = (stat.st_ino, stat.st_mtime_ns)
    return found


def output_of(folder: Path) -> Output:
    """How many files `folder` holds, their total size, and its largest HTML page."""
    files = total = 0
    largest = ("", 0)
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            size = os.stat(path).st_size
            files += 1
            total += size
            relative = Path(path).relative_to(folder).as_posix()
            # A tie goes to the first path in sorted order: the same output always names the same page.
            if name.endswith(".html") and (size > largest[1] or (size == largest[1] and relative < largest[0])):
                largest = (relative, size)
    return Output(files, total, *largest)


def fingerprints(folder: Path) -> dict[str, str]:
    """Each file under `folder` (relative path) -> a hash of its bytes."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return found


def differences(left: dict[str, str], right: dict[str, str]) -> list[str]:
    """The paths whose bytes differ between two fingerprints, or that only one of them has, sorted."""
    return sorted(path for path in left.keys() | right.keys() if left.get(path) != right.get(path))
