"""Population shares with confidence intervals, from statsmodels.

:func:`share` gives a count out of ``n`` with its 95% interval (Wilson by default,
Clopper-Pearson on request), and with the finite-population correction when the ``n`` items
are a random sample drawn without replacement from a population of known size.
:func:`stratified_share` combines per-stratum samples (a sample drawn by strata) into one
population estimate. Both corrections work through the effective sample size (the sample size
that gives a simple random sample the same variance), so the interval itself is always one of
statsmodels' ``proportion_confint`` methods rather than a hand-written formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

METHODS = {"wilson": "wilson", "clopper-pearson": "beta", "beta": "beta"}


class EstimateError(ValueError):
    """Counts, sample sizes or population sizes that cannot describe a sample."""


@dataclass(frozen=True)
class Share:
    """A share of ``n`` with its confidence interval."""

    count: float
    n: int
    share: float
    low: float
    high: float
    method: str
    confidence: float = 0.95

    def percent(self) -> str:
        """Format as ``22% [15%, 31%]``."""
        return f"{self.share:.0%} [{self.low:.0%}, {self.high:.0%}]"


@dataclass(frozen=True)
class Stratum:
    """One stratum of a stratified sample: its population size, sample size and count."""

    population: int
    sample: int
    count: int


def _method(method: str) -> str:
    try:
        return METHODS[method]
    except KeyError as error:
        known = ", ".join(sorted(METHODS))
        raise EstimateError(f"unknown interval method {method!r} (known: {known})") from error


def _interval(share_: float, n_effective: float, method: str, alpha: float) -> tuple[float, float]:
    # statsmodels takes seconds to import: only the commands that estimate pay for it.
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(share_ * n_effective, n_effective, alpha=alpha, method=method)
    return max(0.0, float(low)), min(1.0, float(high))


def share(
    count: int,
    n: int,
    *,
    method: str = "wilson",
    confidence: float = 0.95,
    population: int | None = None,
) -> Share:
    """Estimate a share from ``count`` out of ``n``, with its interval.

    :param population: the size of the population the ``n`` were drawn from without
        replacement; gives the finite-population correction (a census has no uncertainty left).
    """
    if n <= 0 or not 0 <= count <= n:
        raise EstimateError(f"a count of {count} out of {n} is not a sample")
    if population is not None and population < n:
        raise EstimateError(f"a sample of {n} cannot come from a population of {population}")
    statsmodels_method = _method(method)
    point = count / n
    if population is not None and population == n:
        return Share(count, n, point, point, point, method, confidence)
    n_effective = float(n)
    if population is not None:
        n_effective = n * (population - 1) / (population - n)
    low, high = _interval(point, n_effective, statsmodels_method, 1 - confidence)
    return Share(count, n, point, low, high, method, confidence)


def stratified_share(
    strata: Sequence[Stratum], *, method: str = "wilson", confidence: float = 0.95
) -> Share:
    """Estimate a population share from a sample drawn by strata (with each stratum's FPC)."""
    if not strata:
        raise EstimateError("a stratified estimate needs at least one stratum")
    for stratum in strata:
        if stratum.sample <= 0 or stratum.population < stratum.sample:
            raise EstimateError(
                f"a stratum sampling {stratum.sample} of {stratum.population} is not a sample"
            )
        if not 0 <= stratum.count <= stratum.sample:
            raise EstimateError(
                f"a count of {stratum.count} out of {stratum.sample} is not a sample"
            )
    statsmodels_method = _method(method)
    total = sum(s.population for s in strata)
    n = sum(s.sample for s in strata)
    point = sum(s.population / total * s.count / s.sample for s in strata)
    variance = 0.0
    for s in strata:
        if s.sample > 1:
            p = s.count / s.sample
            weight = s.population / total
            fpc = 1 - s.sample / s.population
            variance += weight**2 * fpc * p * (1 - p) / (s.sample - 1)
    if n == total:
        return Share(point * n, n, point, point, point, method, confidence)
    # With no spread inside any stratum, fall back on the whole sample's finite-population size.
    simple = n * (total - 1) / (total - n)
    n_effective = point * (1 - point) / variance if variance > 0 else simple
    low, high = _interval(point, n_effective, statsmodels_method, 1 - confidence)
    return Share(point * n, n, point, low, high, method, confidence)
