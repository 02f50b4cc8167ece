"""The figures of one run, and the two issues' targets judged on them, as text tables.

Pure: a `Measurement` in, lines out. Times are medians of the runs and every ratio is to a reference
measured in the same run, because the machine is shared and noisy.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from measure import Output, Run

CONFIGS = {"search": "digest, the default build (with search)", "no-search": "digest --no-search"}
STEPS = {"cold": "cold build", "no-change": "no-change rebuild", "text edit": "one-article text edit",
         "verdict edit": "one verdict edit", "annotation edit": "one-article annotation edit",
         "source edit": "one-source edit"}
HUGO_COLD, HUGO_REBUILD, PAGEFIND = "hugo cold", "hugo rebuild", "pagefind over hugo"
LARGEST_PAGE_SIZE = 10_000  # the N at which issue 11 sets the largest-page target


@dataclass
class Measurement:
    n: int
    runs: dict[str, list[Run]] = field(default_factory=dict)  # "no-search cold", "hugo rebuild", ... -> runs
    outputs: dict[str, Output] = field(default_factory=dict)  # config -> its output after the last edit
    differing: dict[str, list[str]] = field(default_factory=dict)  # config -> paths unlike a clean build (--verify)

    def seconds(self, label: str) -> float | None:
        runs = self.runs.get(label)
        return statistics.median(run.seconds for run in runs) if runs else None

    def largest_mib(self, *labels: str) -> float | None:
        """The peak of the largest single process over every run of `labels`."""
        return max((run.largest_mib for label in labels for run in self.runs.get(label, ())), default=None)

    def tree_mib(self, *labels: str) -> float | None:
        return max((run.tree_mib for label in labels for run in self.runs.get(label, ())), default=None)

    def hugo_pagefind_seconds(self) -> float | None:
        """Hugo's cold build followed by Pagefind over its output: the two run back to back."""
        hugo, pagefind = self.seconds(HUGO_COLD), self.seconds(PAGEFIND)
        return hugo + pagefind if hugo is not None and pagefind is not None else None

    def hugo_pagefind_largest_mib(self) -> float | None:
        if HUGO_COLD not in self.runs or PAGEFIND not in self.runs:
            return None
        return self.largest_mib(HUGO_COLD, PAGEFIND)


def labels(config: str) -> list[str]:
    return [f"{config} {step}" for step in STEPS]


@dataclass(frozen=True)
class Target:
    name: str
    figure: float | None
    unit: str  # "s", "MiB" or "kB"
    limit: float  # the ratio to the reference, or with no reference the figure itself, must not exceed it
    reference: float | None = None
    reference_name: str = ""  # "": the limit is on the figure itself
    judged: bool = True  # False: shown for information; the issue sets no target for it here
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.reference_name or self.figure is None or not self.reference:
            return None
        return self.figure / self.reference

    @property
    def met(self) -> bool | None:
        if not self.judged or self.figure is None:
            return None
        if not self.reference_name:
            return self.figure <= self.limit
        return None if self.ratio is None else self.ratio <= self.limit


def issue_10_targets(m: Measurement, smaller: Measurement | None = None) -> list[Target]:
    """Issue 10: digest --no-search against Hugo's cold build; `smaller` is the run at N / 10, if any."""
    hugo, hugo_name = m.seconds(HUGO_COLD), "Hugo cold"
    hugo_rss = m.largest_mib(HUGO_COLD, HUGO_REBUILD)
    targets = [
        Target("one-article text edit", m.seconds("no-search text edit"), "s", 0.1, hugo, hugo_name),
        Target("one verdict edit", m.seconds("no-search verdict edit"), "s", 0.1, hugo, hugo_name),
        Target("no-change rebuild", m.seconds("no-search no-change"), "s", 0.05, hugo, hugo_name),
        Target("peak RSS, largest process (cold included)", m.largest_mib(*labels("no-search")), "MiB", 0.5,
               hugo_rss, "Hugo"),
        Target("cold build, no slower than today", m.seconds("no-search cold"), "s", 9.0, hugo, hugo_name,
               note="today ≈ 9×"),
        Target("cold build, the goal", m.seconds("no-search cold"), "s", 1.5, hugo, hugo_name),
    ]
    if smaller is not None and smaller.n * 10 == m.n:
        targets.append(Target(f"scaling: text edit at N={m.n:,} / N={smaller.n:,}", m.seconds("no-search text edit"),
                              "s", 2.0, smaller.seconds("no-search text edit"), f"at N={smaller.n:,}"))
    targets.append(Target("no-change rebuild / Hugo's no-change rebuild", m.seconds("no-search no-change"), "s",
                          0.05, m.seconds(HUGO_REBUILD), "Hugo rebuild", judged=False,
                          note="the comparison of earlier results.txt tables"))
    return targets


def issue_11_targets(m: Measurement) -> list[Target]:
    """Issue 11: the default build (with search) against Hugo followed by Pagefind over Hugo's output."""
    reference, name = m.hugo_pagefind_seconds(), "Hugo+Pagefind"
    output = m.outputs.get("search")
    return [
        Target("cold build", m.seconds("search cold"), "s", 1.0, reference, name),
        Target("one-article text edit", m.seconds("search text edit"), "s", 0.1, reference, name),
        Target("one verdict edit", m.seconds("search verdict edit"), "s", 0.1, reference, name),
        Target("no-change rebuild", m.seconds("search no-change"), "s", 0.05, reference, name),
        Target("peak RSS, largest process (cold included)", m.largest_mib(*labels("search")), "MiB", 0.5,
               m.hugo_pagefind_largest_mib(), name),
        Target("largest HTML page", output.largest_page_bytes / 1000 if output else None, "kB", 200.0,
               judged=m.n == LARGEST_PAGE_SIZE,
               note=(output.largest_page if output else "")
               + ("" if m.n == LARGEST_PAGE_SIZE else f" (target at N={LARGEST_PAGE_SIZE:,})")),
    ]


def targets_table(title: str, targets: list[Target]) -> list[str]:
    lines = [title, f"  {'target':46} {'digest':>10}  {'reference':<22} {'ratio':>8}  {'limit':<9} {'met':<4} note"]
    for target in targets:
        reference = (f"{_figure(target.reference, target.unit)} {target.reference_name}"
                     if target.reference is not None else "-")
        limit = f"≤ {target.limit:g}×" if target.reference_name else f"≤ {target.limit:g} {target.unit}"
        met = "-" if target.met is None else ("yes" if target.met else "no")
        lines.append(f"  {target.name:46} {_figure(target.figure, target.unit):>10}  {reference:<22} "
                     f"{_ratio(target.ratio):>8}  {limit:<9} {met:<4} {target.note}".rstrip())
    return lines


def measurements_table(m: Measurement, configs: list[str], repeat: int) -> list[str]:
    lines = [f"N = {m.n:,} articles, measured in this run. Seconds: one cold build, the median of {repeat} run(s) "
             "of each rebuild.",
             "Peak resident memory (MiB): of the largest single process / of the whole process tree, the most "
             "over the runs. Written: files with a new inode or mtime, per run.",
             f"  {'':44} {'seconds':>9} {'largest':>9} {'tree':>9}  written"]

    def row(name: str, seconds: float | None, largest: float | None, tree: float | None, written: str) -> str:
        return (f"  {name:44} {_figure(seconds, 's', with_unit=False):>9} {_figure(largest, 'MiB', with_unit=False):>9} "
                f"{_figure(tree, 'MiB', with_unit=False):>9}  {written}").rstrip()

    def step_row(name: str, label: str) -> str:
        runs = m.runs.get(label, [])
        return row(name, m.seconds(label), m.largest_mib(label), m.tree_mib(label),
                   "/".join(str(run.written) for run in runs))

    for config in configs:
        lines.append(CONFIGS[config])
        lines += [step_row(f"  {name}", f"{config} {step}") for step, name in STEPS.items()]
        output = m.outputs.get(config)
        if output:
            lines.append(f"    output: {output.files:,} files, {output.total_bytes / 1e6:.1f} MB; largest HTML page "
                         f"{output.largest_page or '-'} ({output.largest_page_bytes / 1000:.1f} kB)")
        if config in m.differing:
            different = m.differing[config]
            lines.append("    incremental output identical to a clean build" if not different else
                         f"    incremental output DIFFERS from a clean build in {len(different)} file(s): "
                         + ", ".join(different[:5]) + (", ..." if len(different) > 5 else ""))
    if HUGO_COLD in m.runs:
        lines.append("Hugo over the same articles' plain Markdown (no annotations, no search)")
        lines += [step_row("  cold build", HUGO_COLD), step_row("  no-change rebuild", HUGO_REBUILD)]
    if PAGEFIND in m.runs:
        lines.append("Hugo followed by Pagefind over Hugo's public/ (the usual way to give a Hugo site search)")
        lines.append(step_row("  Pagefind, straight after Hugo's cold build", PAGEFIND))
        lines.append(row("  the two, cold (times added, larger peak)", m.hugo_pagefind_seconds(),
                         m.hugo_pagefind_largest_mib(), m.tree_mib(HUGO_COLD, PAGEFIND), ""))
    return lines


def _figure(value: float | None, unit: str, with_unit: bool = True) -> str:
    if value is None:
        return "-"
    digits = {"s": 3 if value < 0.1 else 2, "MiB": 0, "kB": 1}[unit]
    return f"{value:.{digits}f}" + (f" {unit}" if with_unit else "")


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.{3 if value < 0.1 else 2}f}×"
