"""The benchmark's own logic: targets judged on given figures, the verdict edit, the measurements.

Not part of the project's test suite (pytest's testpaths is tests/): run `python -m pytest bench -q`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from edits import change_verdict  # noqa: E402
from measure import Output, Run, output_of, run_timed  # noqa: E402
from report import (HUGO_COLD, HUGO_REBUILD, PAGEFIND, Measurement, issue_10_targets, issue_11_targets,  # noqa: E402
                    targets_table)

SCALE = ("confirmed", "unconfirmed", "disputed", "false")


def runs(*seconds: float, largest: float = 100.0) -> list[Run]:
    return [Run(value, largest, largest * 2, 1) for value in seconds]


def digest_runs(config: str, text_edit: float, largest: float = 100.0) -> dict[str, list[Run]]:
    figures = {"cold": (20.0,), "no-change": (0.3, 0.1, 0.2), "text edit": (text_edit,) * 3,
               "verdict edit": (0.5, 9.0, 0.4), "annotation edit": (1.0,), "source edit": (1.0,)}
    return {f"{config} {step}": runs(*values, largest=largest) for step, values in figures.items()}


def by_name(targets):
    return {target.name: target for target in targets}


def test_issue_10_ratios_are_medians_over_hugo_cold_and_memory_is_the_largest_process_over_every_run():
    m = Measurement(1000, {HUGO_COLD: runs(10.0, largest=400.0), HUGO_REBUILD: runs(12.0, 11.0, 13.0, largest=500.0),
                           **digest_runs("no-search", 0.9, largest=240.0)})
    m.runs["no-search cold"] = runs(20.0, largest=260.0)  # the cold build's peak counts too
    targets = by_name(issue_10_targets(m))
    assert targets["one-article text edit"].ratio == pytest.approx(0.09) and targets["one-article text edit"].met
    verdict = targets["one verdict edit"]  # median of 0.5, 9.0, 0.4, not the mean or the last
    assert verdict.figure == 0.5 and verdict.ratio == pytest.approx(0.05) and verdict.met is True
    assert targets["no-change rebuild"].ratio == pytest.approx(0.02) and targets["no-change rebuild"].met
    memory = targets["peak RSS, largest process (cold included)"]
    assert (memory.figure, memory.reference, memory.met) == (260.0, 500.0, False)  # 0.52 x Hugo's largest
    assert targets["cold build, no slower than today"].met and not targets["cold build, the goal"].met
    informative = targets["no-change rebuild / Hugo's no-change rebuild"]
    assert informative.reference == 12.0 and informative.met is None
    table = "\n".join(targets_table("title", issue_10_targets(m)))
    assert re.search(r"one verdict edit +0.50 s +10.00 s Hugo cold +0.050× +≤ 0.1× +yes", table)


def test_scaling_row_divides_the_text_edit_by_the_one_at_a_tenth_of_the_size():
    small = Measurement(1000, digest_runs("no-search", 0.5))
    large = Measurement(10000, digest_runs("no-search", 1.2))
    scaling = by_name(issue_10_targets(large, small))["scaling: text edit at N=10,000 / N=1,000"]
    assert scaling.ratio == pytest.approx(2.4) and scaling.met is False
    assert not any(t.name.startswith("scaling") for t in issue_10_targets(large, Measurement(2000)))


def test_issue_11_reference_is_hugo_then_pagefind_and_the_page_size_is_judged_at_ten_thousand_only():
    def measured(n: int, page_bytes: int) -> Measurement:
        m = Measurement(n, {HUGO_COLD: runs(10.0, largest=300.0), PAGEFIND: runs(20.0, largest=900.0),
                            **digest_runs("search", 4.0, largest=400.0)})
        m.outputs["search"] = Output(10, 10**6, "topics/trade/index.html", page_bytes)
        return m

    targets = by_name(issue_11_targets(measured(10000, 250_000)))
    assert targets["cold build"].reference == 30.0 and targets["cold build"].ratio == pytest.approx(20 / 30)
    assert targets["cold build"].met and not targets["one-article text edit"].met  # 4 s / 30 s > 0.1
    memory = targets["peak RSS, largest process (cold included)"]
    assert (memory.reference, memory.met) == (900.0, True)  # Pagefind's process is the larger
    page = targets["largest HTML page"]
    assert (page.figure, page.ratio, page.met) == (250.0, None, False) and "topics/trade/index.html" in page.note
    assert by_name(issue_11_targets(measured(1000, 250_000)))["largest HTML page"].met is None


def test_without_references_figures_are_shown_and_nothing_is_judged():
    m = Measurement(200, digest_runs("no-search", 0.9))
    targets = issue_10_targets(m)
    assert all(t.figure is not None and t.ratio is None and t.met is None for t in targets)
    table = "\n".join(targets_table("title", targets))
    assert not re.search(r"≤ \S+ +(yes|no) ", table) and "0.90 s" in table


def test_verdict_edit_moves_one_claim_along_the_scale_and_never_returns_to_an_earlier_state(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('claims:\n  - id: claim-1\n    status: "false"\n    claimant: X\n'
                    '  - id: claim-2\n    status: confirmed\n', encoding="utf-8")
    states = [path.read_text()]
    for run in range(6):
        change_verdict(path, run, SCALE)
        states.append(path.read_text())
    assert len(set(states)) == len(states)
    assert states[1].splitlines()[2] == '    status: "confirmed"'  # false wraps round to confirmed
    assert states[3].splitlines()[2] == '    status: "disputed"' and states[3].splitlines()[5] == "    status: confirmed"
    assert states[4].splitlines()[5] == '    status: "unconfirmed"'  # then the second claim's turn
    assert states[4].splitlines()[3] == "    claimant: X"


def test_largest_page_is_the_biggest_html_file_with_ties_to_the_first_path(tmp_path):
    for relative, size in {"b/index.html": 50, "a/index.html": 50, "big.json": 500, "index.html": 10}.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"x" * size)
    assert output_of(tmp_path) == Output(4, 610, "a/index.html", 50)


def test_largest_process_counts_a_grandchild_that_the_sampler_might_miss(tmp_path):
    allocate = "x = bytearray(300 * 2**20); x[::4096] = b'1' * len(x[::4096])"
    command = [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {allocate!r}])"]
    run = run_timed(command, tmp_path, tmp_path)
    assert 300 <= run.largest_mib < 600 and run.seconds > 0


def test_a_failing_command_stops_the_benchmark_with_its_error_output(tmp_path):
    with pytest.raises(SystemExit, match="boom"):
        run_timed([sys.executable, "-c", "import sys; sys.exit('boom')"], tmp_path, tmp_path)
