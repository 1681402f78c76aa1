"""Compare the speed of a few callables honestly: :func:`compare`.

A speed comparison you can trust has five parts (the course's standard, see ``STYLE.md``):

* **warm-up**: the first calls pay for tracing, compiling and caches, so they are not timed;
* **repeats**, **interleaved**: each candidate is timed several times, round by round, in an
  order that changes from round to round, so that a slow minute on a busy machine touches every
  candidate alike;
* the **median** and the **spread** (fastest to slowest) of the repeats, not one run or a mean
  that one slow run drags;
* a **noise band**: the baseline is timed twice in every round, as if it were two candidates
  (an A/A comparison). Two identical things never time exactly alike; how far they disagree,
  and how much the baseline's own repeats scatter, is the smallest difference this measurement
  can see. A ratio inside the band is "within noise", never "faster" or "slower"; so is a
  candidate whose fastest–slowest range overlaps the baseline's (its own repeats scatter);
* a **positive control**: a candidate known to be slower (the baseline's work done twice, see
  :func:`repeated`). If the comparison does not call it slower, it could not have seen a
  difference of that size, and every verdict says so instead of claiming one.

Lesson 10 uses it to ask whether mixed precision pays on your machine and how much each
``tf.data`` knob gains; lesson 06 whether a graph and XLA pay for a training step.

Example::

    from k2tf import speed
    result = speed.compare({"float32": run_fp32, "mixed_float16": run_fp16}, baseline="float32",
                           positive_control=speed.repeated(run_fp32, 2), work=8, work_unit="steps")
    print(result)                   # a table and one verdict per candidate
    result.verdict("mixed_float16")  # e.g. "slower by ×3.2" or "within noise (±6%)"
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Comparison", "Timing", "compare", "repeated", "format_seconds"]

#: The name under which the positive control appears in a :class:`Comparison`.
CONTROL = "positive control"
#: The name of the baseline's second series, timed only to measure the noise (A/A).
AGAIN = "baseline again"


def repeated(fn: Callable[[], object], times: int = 2) -> Callable[[], object]:
    """A callable that does ``fn``'s work ``times`` times: a positive control ``times``× slower."""
    if times < 2:
        raise ValueError("a positive control must do the work at least twice")

    def control():
        for _ in range(times):
            result = fn()
        return result

    control.control_factor = times
    return control


def format_seconds(seconds: float) -> str:
    """``1.23 s``, ``12.3 ms`` or ``45.6 µs``: three significant figures in a readable unit."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(seconds) >= scale or unit == "µs":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def _times(factor: float) -> str:
    """``×1.06``, ``×3.2``, ``×190``: as many digits as the factor's size deserves."""
    factor = float(f"{factor:.3g}")  # 1.9999 is ×2.0, not ×2.00
    return f"×{factor:.2f}" if factor < 2 else f"×{factor:.1f}" if factor < 10 else f"×{factor:.0f}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


@dataclass(frozen=True)
class Timing:
    """One candidate's timed calls (seconds each, warm-up excluded) and what they say."""

    name: str
    seconds: tuple[float, ...]
    warmup_seconds: tuple[float, ...] = ()
    cut_short: bool = False  # fewer than ``repeats`` timed calls: it used up max_seconds

    @property
    def n(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` measured: per candidate a :class:`Timing`, a ratio and a verdict.

    ``ratio(name)`` is how many times faster than the baseline ``name`` runs (the baseline's
    median time over the candidate's: above 1 is faster). ``noise`` is the half-width of the noise
    band as a fraction (0.06 means ±6%), and ``noise_sources`` says where it came from.
    """

    baseline: str
    timings: dict[str, Timing]
    noise: float
    noise_sources: dict[str, float]
    control_factor: float | None = None
    work: float | None = None
    work_unit: str = "calls"
    candidates: tuple[str, ...] = field(default=())

    # -- numbers -------------------------------------------------------------------------
    def ratio(self, name: str) -> float:
        """Speed of ``name`` relative to the baseline: >1 is faster, <1 is slower."""
        return self.timings[self.baseline].median / self.timings[name].median

    def rate(self, name: str) -> float | None:
        """``work`` units per second at the median (for example training steps per second)."""
        return None if self.work is None else self.work / self.timings[name].median

    def outside_noise(self, name: str) -> bool:
        """Whether ``name`` differs from the baseline beyond the noise: its ratio lies outside
        the noise band *and* its fastest–slowest range does not overlap the baseline's (both
        series). The second test catches a candidate whose own repeats scatter widely, which
        the band, measured on the baseline, cannot see: a median 1.8× slower whose fastest
        call beat the baseline's slowest is not a measured difference."""
        if abs(math.log(self.ratio(name))) <= math.log1p(self.noise):
            return False
        base = self.timings[self.baseline].seconds + self.timings[AGAIN].seconds
        timing = self.timings[name]
        return timing.low > max(base) or timing.high < min(base)

    # -- the positive control --------------------------------------------------------------
    @property
    def has_control(self) -> bool:
        return CONTROL in self.timings

    @property
    def control_detected(self) -> bool | None:
        """True when the positive control was measured slower than the baseline, beyond the
        noise; False when it was not (the measurement is then blind to a difference of that
        size); None when there was no control."""
        if not self.has_control:
            return None
        return self.ratio(CONTROL) < 1 and self.outside_noise(CONTROL)

    # -- verdicts --------------------------------------------------------------------------
    def _difference(self, name: str) -> str:
        ratio = self.ratio(name)
        if not self.outside_noise(name):
            return f"within noise (±{self.noise:.0%})"
        return f"faster by {_times(ratio)}" if ratio > 1 else f"slower by {_times(1 / ratio)}"

    def verdict(self, name: str) -> str:
        """One phrase: ``"faster by ×1.8"``, ``"slower by ×3.2"``, ``"within noise (±7%)"``;
        ``"inconclusive: …"`` when the positive control was not detected."""
        if name == self.baseline:
            return "baseline"
        if name == CONTROL:
            detected = "detected" if self.control_detected else "NOT detected"
            return f"{detected}: {self._difference(name)}"
        if self.control_detected is False:
            return f"inconclusive: {self._control_words()} was not seen as slower"
        return self._difference(name)

    def _control_words(self) -> str:
        if self.control_factor is None:
            return "the positive control"
        return f"the positive control (the baseline's work ×{self.control_factor:g})"

    def faster(self, name: str) -> bool:
        """True only when ``name`` was measured faster than the baseline beyond the noise and
        the positive control (if any) was detected."""
        return (self.control_detected is not False and self.outside_noise(name)
                and self.ratio(name) > 1)

    def slower(self, name: str) -> bool:
        """True only when ``name`` was measured slower beyond the noise (control detected)."""
        return (self.control_detected is not False and self.outside_noise(name)
                and self.ratio(name) < 1)

    # -- text ------------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        """One dict per candidate shown (the baseline first, then the control): for a plot."""
        names = [self.baseline, *[n for n in self.candidates if n != self.baseline]]
        if self.has_control:
            names.append(CONTROL)
        rows = []
        for name in names:
            timing = self.timings[name]
            rows.append({"name": name, "median_s": timing.median, "low_s": timing.low,
                         "high_s": timing.high, "n": timing.n, "ratio": self.ratio(name),
                         "rate": self.rate(name), "cut_short": timing.cut_short,
                         "verdict": self.verdict(name)})
        return rows

    def table(self) -> str:
        """A plain-text table: median, spread, repeats, speed against the baseline, verdict."""
        rows = self.rows()
        rate_head = f"{self.work_unit}/s" if self.work is not None else None
        head = ["", "median", "fastest–slowest", "n"] + ([rate_head] if rate_head else [])
        head += [f"× speed of {self.baseline}", "verdict"]
        lines = []
        for row in rows:
            label = row["name"] + (" (baseline)" if row["name"] == self.baseline else "")
            cells = [label, format_seconds(row["median_s"]),
                     f"{format_seconds(row['low_s'])}–{format_seconds(row['high_s'])}",
                     f"{row['n']}" + ("*" if row["cut_short"] else "")]
            if rate_head:
                cells.append(_number(row["rate"]))
            cells += [f"{row['ratio']:.2f}", row["verdict"]]
            lines.append(cells)
        widths = [max(len(str(cells[i])) for cells in [head, *lines]) for i in range(len(head))]
        text = ["  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
                for cells in [head, *lines]]
        return "\n".join(text)

    def noise_note(self) -> str:
        """Where the noise band comes from, in one line."""
        src = self.noise_sources
        return (f"noise band ±{self.noise:.0%}: the larger of {self.baseline} against itself "
                f"({src['a/a']:.1%}), the scatter of its repeats ({src['scatter']:.1%}) and a "
                f"floor of {src['floor']:.0%}; a difference counts only outside the band and "
                f"when its fastest–slowest range does not overlap {self.baseline}'s")

    def __str__(self) -> str:
        lines = [self.table(), self.noise_note()]
        if self.has_control:
            lines.append(f"{self._control_words()}: "
                         + ("detected, so a difference that large would show."
                            if self.control_detected else
                            "NOT detected: this measurement cannot tell a difference that large; "
                            "measure more work per call or more repeats."))
        if any(t.cut_short for t in self.timings.values()):
            lines.append("* fewer repeats: its timed calls used up max_seconds")
        return "\n".join(lines)


def compare(candidates: dict[str, Callable[[], object]], *, baseline: str, warmup: int = 1,
            repeats: int = 5, positive_control: Callable[[], object] | None = None,
            control_factor: float | None = None, min_noise: float = 0.05,
            max_seconds: float | None = None, work: float | None = None,
            work_unit: str = "calls", clock: Callable[[], float] = time.perf_counter
            ) -> Comparison:
    """Time each callable in ``candidates`` and compare it with ``candidates[baseline]``.

    Each callable is called ``warmup`` times untimed, then ``repeats`` times timed, in rounds:
    every round calls every candidate once, in an order rotated from round to round and reversed
    every other round. The
    baseline is called twice per round (the second series, "baseline again", measures the
    noise). ``positive_control`` (for example ``repeated(baseline_fn, 2)``) joins the rounds; its
    ``control_factor`` (taken from :func:`repeated` when not given) is only used in the text.

    ``min_noise`` is the floor of the noise band (timings on a shared machine are never
    better than a few percent). ``max_seconds`` bounds each candidate's timed calls: once their
    sum reaches it, the candidate sits out the remaining rounds (it keeps at least one timed
    call, and its warm-up calls always run), so a pathologically slow candidate costs its
    warm-up and one call, not ``repeats`` of them. Its row is marked with ``*``.
    ``work`` is the amount of work one call does (for example 8 training steps), to report a
    rate in ``work_unit`` per second. Make each call last at least a millisecond or so.
    """
    if baseline not in candidates:
        raise ValueError(f"baseline {baseline!r} is not one of the candidates {list(candidates)}")
    if repeats < 2 or warmup < 0:
        raise ValueError("need repeats >= 2 (a median and a spread) and warmup >= 0")
    reserved = {CONTROL, AGAIN} & set(candidates)
    if reserved:
        raise ValueError(f"{sorted(reserved)} is a name compare() uses itself")
    calls = dict(candidates)
    calls[AGAIN] = candidates[baseline]
    if positive_control is not None:
        calls[CONTROL] = positive_control
        if control_factor is None:
            control_factor = getattr(positive_control, "control_factor", None)
    names = list(calls)

    warm: dict[str, list[float]] = {name: [] for name in names}
    timed: dict[str, list[float]] = {name: [] for name in names}

    def call(name: str) -> float:
        start = clock()
        calls[name]()
        return clock() - start

    for name in names:
        for _ in range(warmup):
            warm[name].append(call(name))
    for round_index in range(repeats):
        # rotated each round, and reversed every other one: no candidate always runs first,
        # and none always runs right after the same other one (whose leftovers it might pay for)
        shift = round_index % len(names)
        order = names[shift:] + names[:shift]
        for name in (reversed(order) if round_index % 2 else order):
            if timed[name] and max_seconds is not None and sum(timed[name]) >= max_seconds:
                continue  # this candidate has had its time; the others go on
            timed[name].append(call(name))

    timings = {name: Timing(name, tuple(timed[name]), tuple(warm[name]),
                            cut_short=len(timed[name]) < repeats) for name in names}
    base, again = timings[baseline], timings[AGAIN]
    pooled = sorted(base.seconds + again.seconds)
    q1, _, q3 = statistics.quantiles(pooled, n=4, method="inclusive")
    sources = {"a/a": math.expm1(abs(math.log(again.median / base.median))),
               "scatter": (q3 - q1) / statistics.median(pooled), "floor": min_noise}
    noise = max(sources.values())
    return Comparison(baseline=baseline, timings=timings, noise=noise, noise_sources=sources,
                      control_factor=control_factor, work=work, work_unit=work_unit,
                      candidates=tuple(candidates))
