"""Shares with intervals: statsmodels' methods, the finite-population correction, strata."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from classify.estimates import EstimateError, Stratum, share, stratified_share


@pytest.mark.parametrize(
    ("method", "statsmodels_method"), [("wilson", "wilson"), ("clopper-pearson", "beta")]
)
@pytest.mark.parametrize(("count", "n"), [(22, 100), (0, 40), (40, 40), (1, 3)])
def test_share_is_statsmodels_interval(
    method: str, statsmodels_method: str, count: int, n: int
) -> None:
    estimate = share(count, n, method=method)
    low, high = proportion_confint(count, n, alpha=0.05, method=statsmodels_method)
    assert estimate.share == count / n
    assert (estimate.low, estimate.high) == pytest.approx((low, high))


def test_clopper_pearson_is_wider_than_wilson_at_zero() -> None:
    assert share(0, 30, method="clopper-pearson").high > share(0, 30).high


def test_finite_population_correction_narrows_and_a_census_is_exact() -> None:
    open_population = share(20, 40)
    small = share(20, 40, population=60)
    assert small.high - small.low < open_population.high - open_population.low
    assert open_population.low < small.low < 0.5 < small.high < open_population.high
    census = share(20, 40, population=40)
    assert census.low == census.high == 0.5
    # A population far larger than the sample changes (almost) nothing.
    huge = share(20, 40, population=10_000_000)
    assert (huge.low, huge.high) == pytest.approx(
        (open_population.low, open_population.high), abs=1e-5
    )


def test_stratified_point_estimate_weights_strata_by_population() -> None:
    # Strata of 900 and 100 transactions; 10 of 30 and 9 of 10 sampled ones are updatable.
    estimate = stratified_share([Stratum(900, 30, 10), Stratum(100, 10, 9)])
    assert estimate.share == pytest.approx(0.9 * 10 / 30 + 0.1 * 0.9)
    assert estimate.low < estimate.share < estimate.high
    # A single stratum behaves as a simple random sample (variance with n - 1 rather than n).
    single = stratified_share([Stratum(500, 50, 20)])
    simple = share(20, 50, population=500)
    assert single.share == simple.share
    assert (single.low, single.high) == pytest.approx((simple.low, simple.high), abs=0.01)


def test_stratified_census_and_degenerate_strata() -> None:
    census = stratified_share([Stratum(10, 10, 3), Stratum(5, 5, 5)])
    assert census.low == census.high == pytest.approx(8 / 15)
    none_at_all = stratified_share([Stratum(100, 10, 0), Stratum(100, 10, 0)])
    assert none_at_all.share == 0 and none_at_all.high > 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: share(5, 0),
        lambda: share(6, 5),
        lambda: share(3, 10, population=5),
        lambda: share(3, 10, method="bayes"),
        lambda: stratified_share([]),
        lambda: stratified_share([Stratum(5, 10, 1)]),
        lambda: stratified_share([Stratum(50, 10, 11)]),
    ],
)
def test_bad_inputs_are_named_errors(call) -> None:  # noqa: ANN001
    with pytest.raises(EstimateError):
        call()


def test_percent_format() -> None:
    assert share(22, 100).percent() == "22% [15%, 31%]"
