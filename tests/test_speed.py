"""k2tf.speed: warm-up, interleaved repeats, median, noise band and positive control.

Most tests run the candidates on a fake clock: each candidate advances it by a cost the test
chooses, so the verdicts follow from known numbers and the tests assert no real timing. One test
uses real sleeps with large factors, to show the real clock path works end to end.
"""
import itertools
import time

import pytest

from k2tf import speed


class FakeClock:
    """A clock that moves only when a candidate "works"."""

    def __init__(self):
        self.now = 0.0
        self.log = []

    def __call__(self):
        return self.now

    def work(self, name, *costs):
        """A candidate whose calls cost ``costs`` in turn (the last one repeats)."""
        costs_iter = itertools.chain(costs, itertools.repeat(costs[-1]))

        def run():
            self.log.append(name)
            self.now += next(costs_iter)
        return run


def test_faster_slower_and_within_noise_follow_from_the_medians():
    clock = FakeClock()
    result = speed.compare({"base": clock.work("base", 0.010), "fast": clock.work("fast", 0.005),
                            "slow": clock.work("slow", 0.030), "same": clock.work("same", 0.0102)},
                           baseline="base", clock=clock)
    assert result.verdict("base") == "baseline"
    assert result.verdict("fast") == "faster by ×2.0"
    assert result.verdict("slow") == "slower by ×3.0"
    assert result.verdict("same") == "within noise (±5%)"
    assert result.faster("fast") and not result.slower("fast")
    assert result.slower("slow") and not result.faster("slow")
    assert not result.faster("same") and not result.slower("same")
    assert result.ratio("fast") == pytest.approx(2.0)
    assert result.control_detected is None


def test_the_noise_band_is_measured_from_the_baseline_not_fixed():
    # the same candidate, 15% slower than the baseline's median, is "slower" next to a steady
    # baseline and "within noise" next to one whose repeats scatter by ±30%
    def run(baseline_costs):
        clock = FakeClock()
        return speed.compare({"base": clock.work("base", *baseline_costs),
                              "candidate": clock.work("candidate", 0.0115)},
                             baseline="base", repeats=5, clock=clock)

    steady = run([0.010])
    assert steady.noise == pytest.approx(0.05)  # nothing scatters: the floor
    assert steady.verdict("candidate") == "slower by ×1.15"

    # the baseline's two series share its callable and take one call each per round: costs
    # come in equal pairs (two warm-up calls first), so both series see the same wide scatter
    noisy = run([0.010, 0.010, 0.007, 0.007, 0.013, 0.013, 0.010, 0.010, 0.008, 0.008, 0.012])
    assert noisy.noise > 0.15
    assert noisy.verdict("candidate").startswith("within noise")
    assert noisy.noise_sources["scatter"] > 0.15


def test_a_baseline_that_disagrees_with_itself_widens_the_band():
    # the baseline's two series (A, and A again) share one callable; with three names, rotated
    # and every other round reversed, its calls come as A A' | A A' | A' A | A' A | A' A. Costs
    # laid out so that A takes 10 ms and A' 12 ms: they disagree by 20%, which becomes the band
    clock = FakeClock()
    costs = [0.010, 0.012, 0.010, 0.012, 0.012, 0.010, 0.012, 0.010, 0.012, 0.010]
    result = speed.compare({"base": clock.work("base", *costs),
                            "candidate": clock.work("candidate", 0.0115)},
                           baseline="base", repeats=5, warmup=0, clock=clock)
    assert result.timings["base"].median == pytest.approx(0.010)
    assert result.timings[speed.AGAIN].median == pytest.approx(0.012)
    assert result.noise_sources["a/a"] == pytest.approx(0.2)
    assert result.noise == pytest.approx(0.2)
    assert result.noise_sources["scatter"] < result.noise  # the A/A difference set the band
    assert result.verdict("candidate") == "within noise (±20%)"  # 15% slower: inside the band
    assert "against itself" in result.noise_note()


def test_the_positive_control_is_detected_when_the_baseline_is_done_twice():
    clock = FakeClock()
    base = clock.work("base", 0.010)
    result = speed.compare({"base": base, "fast": clock.work("fast", 0.004)}, baseline="base",
                           positive_control=speed.repeated(base, 2), clock=clock)
    assert result.control_detected is True
    assert result.control_factor == 2
    assert result.verdict(speed.CONTROL) == "detected: slower by ×2.0"
    assert result.verdict("fast") == "faster by ×2.5"
    assert "detected, so a difference that large would show" in str(result)


def test_an_undetected_control_makes_every_verdict_inconclusive():
    # a "control" that does no more work than the baseline: the measurement cannot confirm it
    # sees a x2 difference, so it must not claim that the faster candidate is faster
    clock = FakeClock()
    result = speed.compare({"base": clock.work("base", 0.010), "fast": clock.work("fast", 0.004)},
                           baseline="base", positive_control=clock.work("control", 0.010),
                           control_factor=2, clock=clock)
    assert result.control_detected is False
    assert result.verdict(speed.CONTROL).startswith("NOT detected")
    assert result.verdict("fast") == ("inconclusive: the positive control (the baseline's work ×2) "
                                      "was not seen as slower")
    assert not result.faster("fast")
    assert "NOT detected" in str(result)


def test_warm_up_calls_are_not_timed_and_rounds_are_interleaved_in_rotating_order():
    clock = FakeClock()
    # the first call of each candidate pays a large one-off cost (tracing)
    candidates = {name: clock.work(name, 1.0, 0.010) for name in ("a", "b", "c")}
    result = speed.compare(candidates, baseline="a", warmup=1, repeats=4, clock=clock)
    for name in ("a", "b", "c"):
        assert result.timings[name].warmup_seconds == (1.0,)
        assert result.timings[name].n == 4
        assert result.timings[name].median == pytest.approx(0.010)
    # the baseline's two series share one callable: it ran 2 x (1 + 4) times, the others 1 + 4
    assert clock.log.count("a") == 10 and clock.log.count("b") == 5 and clock.log.count("c") == 5
    rounds = [clock.log[4 + 4 * i: 8 + 4 * i] for i in range(4)]  # after 4 warm-up calls
    assert all(sorted(r) == ["a", "a", "b", "c"] for r in rounds)
    assert rounds[0] != rounds[1]  # the order changes from round to round
    # and "b" does not always run right after the same candidate
    predecessors = {r[r.index("b") - 1] for r in rounds if r.index("b") > 0}
    assert len(predecessors) > 1


def test_max_seconds_bounds_a_pathologically_slow_candidate():
    clock = FakeClock()
    result = speed.compare({"base": clock.work("base", 0.010), "slow": clock.work("slow", 5.0)},
                           baseline="base", repeats=7, max_seconds=1.0, clock=clock)
    slow = result.timings["slow"]
    assert slow.n == 1 and slow.cut_short  # warm-up + one timed call, not 7
    assert clock.log.count("slow") == 2
    assert result.timings["base"].n == 7 and not result.timings["base"].cut_short
    assert result.verdict("slow") == "slower by ×500"
    assert "*" in result.table()


def test_the_table_shows_every_candidate_and_a_rate_when_work_is_given():
    clock = FakeClock()
    base = clock.work("base", 0.100)
    result = speed.compare({"float32": base, "mixed": clock.work("mixed", 0.050)},
                           baseline="float32", positive_control=speed.repeated(base, 2),
                           work=8, work_unit="steps", clock=clock)
    text = str(result)
    assert "float32 (baseline)" in text and "mixed" in text and speed.CONTROL in text
    assert "steps/s" in text
    assert result.rate("float32") == pytest.approx(80) and result.rate("mixed") == pytest.approx(160)
    assert [row["name"] for row in result.rows()] == ["float32", "mixed", speed.CONTROL]
    assert "noise band ±5%" in text


def test_real_sleeps_with_large_factors_get_the_right_verdicts():
    def sleeper(seconds):
        return lambda: time.sleep(seconds)

    base = sleeper(0.004)
    result = speed.compare({"base": base, "fast": sleeper(0.0004), "slow": sleeper(0.040)},
                           baseline="base", repeats=5, positive_control=speed.repeated(base, 3))
    assert result.control_detected
    assert result.verdict("fast").startswith("faster by ×")
    assert result.verdict("slow").startswith("slower by ×")


def test_repeated_does_the_work_that_many_times():
    calls = []
    control = speed.repeated(lambda: calls.append(1), 3)
    control()
    assert len(calls) == 3 and control.control_factor == 3
    with pytest.raises(ValueError):
        speed.repeated(lambda: None, 1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(baseline="missing"), "not one of the candidates"),
    (dict(baseline="a", repeats=1), "repeats"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        speed.compare({"a": lambda: None}, **kwargs)


def test_names_the_comparison_uses_itself_are_refused():
    with pytest.raises(ValueError, match="compare"):
        speed.compare({"a": lambda: None, speed.CONTROL: lambda: None}, baseline="a")


def test_format_seconds_picks_a_readable_unit():
    assert speed.format_seconds(1.5) == "1.5 s"
    assert speed.format_seconds(0.0123) == "12.3 ms"
    assert speed.format_seconds(0.000456) == "456 µs"


def test_a_control_of_unknown_factor_is_still_judged():
    clock = FakeClock()
    result = speed.compare({"base": clock.work("base", 0.010)}, baseline="base",
                           positive_control=clock.work("control", 0.010), clock=clock)
    assert result.control_factor is None and result.control_detected is False
    assert "the positive control: NOT detected" in str(result)


def test_a_candidate_whose_own_repeats_overlap_the_baseline_is_within_noise():
    # measured in lesson 10 on a loaded machine: "+ prefetch" at a median 1.8x slower than
    # "plain", but its fastest call (163 ms) beat plain's slowest (215 ms): not a difference
    def run(candidate_costs):
        clock = FakeClock()
        return speed.compare({"base": clock.work("base", 0.20),
                              "candidate": clock.work("candidate", *candidate_costs)},
                             baseline="base", warmup=1, repeats=3, clock=clock)

    scattered = run([0.3, 0.37, 0.16, 0.47])  # warm-up, then 0.37, 0.16, 0.47
    assert scattered.ratio("candidate") == pytest.approx(0.2 / 0.37)
    assert scattered.verdict("candidate").startswith("within noise")
    assert not scattered.slower("candidate")
    steady = run([0.3, 0.37, 0.36, 0.47])  # every call slower than any of the baseline's
    assert steady.verdict("candidate") == "slower by ×1.85"
