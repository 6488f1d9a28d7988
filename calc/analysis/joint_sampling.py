"""Joint samples of a scenario's uncertain inputs: rank correlations and seeded streams.

Rank correlations are applied with a Gaussian copula: normal scores
correlated with the Pearson coefficient ``2 sin(π rho_s / 6)`` have Spearman
rank correlation ``rho_s`` (Kruskal 1958), and every marginal transform
(:class:`calc.analysis.distributions.Marginal`) is monotone, so the inputs have
the declared rank correlation.

Randomness comes from explicit seeded generators, one per input key and
stream tag: the same seed gives the same samples, and a key's samples do not
change when other keys are added or removed.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from calc.analysis.distributions import Marginal
from calc.core.errors import CapcalcError
from calc.data.assumptions import Correlation

__all__ = ["JointSampler", "normal_correlation", "stream", "stream_tag"]


FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------- correlation


def normal_correlation(keys: Sequence[str], correlations: Iterable[Correlation]) -> FloatArray:
    """Correlation matrix of the normal scores that gives the declared rank correlations.

    Correlations naming a key outside ``keys`` (an input without spread) are
    ignored. Pearson r = 2 sin(π rho_s / 6) in a Gaussian copula has Spearman rho_s.

    >>> c = Correlation(("training.mfu", "training.availability"), 0.5, "assumption")
    >>> np.round(normal_correlation(["training.mfu", "training.availability"], [c]), 4)
    array([[1.    , 0.5176],
           [0.5176, 1.    ]])

    Raises
    ------
    CapcalcError
        When the correlations cannot hold together (the matrix is not positive semidefinite).
    """
    index = {k: i for i, k in enumerate(keys)}
    matrix = np.eye(len(keys))
    origins = []
    for c in correlations:
        a, b = c.keys
        if a in index and b in index and c.rank != 0:
            r = 2 * math.sin(math.pi * c.rank / 6)
            matrix[index[a], index[b]] = matrix[index[b], index[a]] = r
            origins.append(c.origin)
    if len(keys) and float(np.linalg.eigvalsh(matrix).min()) < -1e-10:
        raise CapcalcError(
            "these rank correlations cannot all hold at once (their matrix is not positive "
            "semidefinite); weaken the strongest ones",
            file=origins[-1] if origins else None, key="correlations",
        )
    return matrix


def _root(matrix: FloatArray) -> FloatArray:
    """A matrix ``A`` with ``A @ A.T == matrix`` (symmetric positive semidefinite)."""
    if matrix.size == 0:
        return matrix
    try:
        return np.asarray(np.linalg.cholesky(matrix), dtype=float)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(matrix)
        return np.asarray(v * np.sqrt(np.clip(w, 0, None)), dtype=float)


def _correlated(keys: Sequence[str], matrix: FloatArray) -> list[str]:
    """Keys with a non-zero correlation to another key."""
    off = matrix - np.eye(len(keys))
    return [k for i, k in enumerate(keys) if np.any(off[i] != 0)]


def stream(seed: int, key: str, tag: int = 0) -> np.random.Generator:
    """The random generator of input ``key`` on stream ``tag`` for ``seed``.

    Streams of different keys or tags are independent; the same arguments
    always give the same sequence.

    >>> float(stream(1, "training.mfu").random()) == float(stream(1, "training.mfu").random())
    True
    """
    if seed < 0:
        raise CapcalcError(f"the seed must be a whole number ≥ 0 (got {seed})", key="seed")
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence([seed, zlib.crc32(key.encode()), tag])))


def stream_tag(name: str) -> int:
    """Stream tag of a scenario's own draws (0 is the shared/baseline stream)."""
    return 1 + zlib.crc32(f"scenario:{name}".encode())


class JointSampler:
    """Draws a scenario's uncertain inputs jointly, chunk by chunk.

    With ``reference`` (the baseline's sampler), every input whose
    distribution and correlations are the same in both is *shared*: it takes
    the reference's samples, so the two scenarios differ only where their
    assumptions differ (common random numbers). The other inputs are drawn
    from this scenario's own streams; where they are correlated with shared
    inputs, they are drawn conditionally on them, so the declared
    correlations hold in the scenario as well. Call ``reference.draw(n)``
    first, then ``draw(n)`` with the same ``n``.

    Parameters
    ----------
    marginals : mapping
        Distribution of every uncertain input (see :func:`marginals`).
    correlations : iterable of Correlation
        Rank correlations of the scenario.
    seed : int
        Seed of every stream.
    tag : int
        Stream tag of this sampler's own draws.
    reference : JointSampler, optional
        The sampler to share with.
    """

    def __init__(self, marginals: Mapping[str, Marginal], correlations: Iterable[Correlation],
                 seed: int, tag: int = 0, reference: JointSampler | None = None) -> None:
        self.marginals = dict(marginals)
        keys = list(self.marginals)
        full = normal_correlation(keys, correlations)
        self.correlated = _correlated(keys, full)
        index = [keys.index(k) for k in self.correlated]
        self.matrix = full[np.ix_(index, index)]
        self.reference = reference
        self.shared = self._shared() if reference is not None else frozenset()
        self.generators = {k: stream(seed, k, tag) for k in keys if k not in self.shared}
        self.last: dict[str, FloatArray] = {}
        self.last_z: dict[str, FloatArray] = {}
        self._prepare()

    def _shared(self) -> frozenset[str]:
        ref = self.reference
        assert ref is not None
        mine = set(self.correlated)
        theirs = set(ref.correlated)
        shared = {k for k, m in self.marginals.items()
                  if ref.marginals.get(k) == m and ((k in mine) == (k in theirs))}

        def r(sampler: JointSampler, a: str, b: str) -> float:
            i, j = sampler.correlated.index(a), sampler.correlated.index(b)
            return float(sampler.matrix[i, j])

        changed = True
        while changed:
            changed = False
            corr = sorted(shared & mine)
            for i, a in enumerate(corr):
                for b in corr[i + 1:]:
                    if a in shared and b in shared and r(self, a, b) != r(ref, a, b):
                        shared -= {a, b}
                        changed = True
        return frozenset(shared)

    def _prepare(self) -> None:
        """Factor the correlation matrix: own keys given the shared ones."""
        keys = self.correlated
        self.given = [k for k in keys if k in self.shared]
        self.drawn = [k for k in keys if k not in self.shared]
        g = [keys.index(k) for k in self.given]
        d = [keys.index(k) for k in self.drawn]
        r_dd = self.matrix[np.ix_(d, d)]
        if g and d:
            r_dg = self.matrix[np.ix_(d, g)]
            self.coupling = r_dg @ np.linalg.pinv(self.matrix[np.ix_(g, g)])
            cov = r_dd - self.coupling @ r_dg.T
            self.factor = _root((cov + cov.T) / 2)
        else:
            self.coupling = np.zeros((len(d), len(g)))
            self.factor = _root(r_dd)

    def draw(self, n: int) -> dict[str, FloatArray]:
        """The next ``n`` samples of every uncertain input."""
        out: dict[str, FloatArray] = {}
        ref = self.reference
        for key in self.shared:
            assert ref is not None
            out[key] = ref.last[key]
        z: dict[str, FloatArray] = {}
        if self.drawn:
            eps = np.stack([self.generators[k].standard_normal(n) for k in self.drawn])
            scores = self.factor @ eps
            if self.given:
                assert ref is not None
                scores += self.coupling @ np.stack([ref.last_z[k] for k in self.given])
            for k, row in zip(self.drawn, scores, strict=True):
                z[k] = row
                out[k] = self.marginals[k].from_normal(row)
        for k in self.given:
            assert ref is not None
            z[k] = ref.last_z[k]
        for key, m in self.marginals.items():
            if key not in out:
                out[key] = m.sample(self.generators[key], n)
        self.last = out
        self.last_z = z
        return {k: out[k] for k in self.marginals}
