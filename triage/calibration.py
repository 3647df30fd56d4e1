"""How likely the suggested queue is right, from the classification's raw scores: Platt scaling.

A logistic curve over the top queue's share of the votes, fitted on the English messages of the dev
set (`python -m triage calibrate`, tests/triage/messages_dev.yml) with Platt's smoothed targets, so a small set
does not push probabilities to 0 or 1. The fitted numbers and the auto-routing threshold are committed in
triage/calibration.json; the test set is never used to fit or choose anything.

The threshold is a policy on that probability, not a second fit: a ticket is auto-routed when its queue is
right at least AUTO_ROUTE_PROBABILITY of the time (a wrongly auto-routed ticket waits in the wrong team's
queue, while a suggested one costs an agent one click); TRIAGE_AUTO_ROUTE_THRESHOLD overrides it. Searching the
dev set for the lowest threshold that kept its precision was tried first and rejected: with some fifty
examples one mistake near the top moved that threshold from 0.86 to 0.95 between two models of the same data.
The dev set's precision and share at the threshold are recorded beside it, for reference.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, Sequence, Tuple

import numpy as np

from triage.classify import Classification

CALIBRATION_PATH = Path(__file__).resolve().parent / "calibration.json"
# One feature, so the curve is monotone and two parameters are all a small dev set has to pin down (with the
# margin as a second feature the fit gave the share a negative weight: collinear features, too few examples).
FEATURES = ("share",)
AUTO_ROUTE_PROBABILITY = 0.9


def features(classification: Classification) -> Tuple[float, ...]:
    return (classification.share,)


@dataclass(frozen=True)
class Calibration:
    weights: Dict[str, float]
    bias: float
    threshold: float
    fitted_on: str
    examples: int
    dev_precision_at_threshold: float
    dev_auto_share: float

    def probability(self, classification: Classification) -> float:
        score = self.bias + sum(
            self.weights[name] * value for name, value in zip(FEATURES, features(classification), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))

    def save(self, path: Path = CALIBRATION_PATH) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        return cls(**json.loads(path.read_text()))


# Before any fit: a raw share is trusted as it is, and only a clear majority is auto-routed.
UNFITTED = Calibration({"share": 6.0}, -4.0, 0.9, "not fitted", 0, 0.0, 0.0)


def fit_platt(
    rows: Sequence[Sequence[float]], correct: Sequence[bool], ridge: float = 1e-3
) -> Tuple[np.ndarray, float]:
    """Logistic regression by Newton's method on Platt's smoothed targets; returns (weights, bias)."""
    x = np.column_stack([np.asarray(rows, dtype=float), np.ones(len(rows))])
    labels = np.asarray(correct, dtype=bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    targets = np.where(labels, (positives + 1.0) / (positives + 2.0), 1.0 / (negatives + 2.0))
    theta = np.zeros(x.shape[1])
    penalty = ridge * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(100):
        predicted = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -50, 50)))
        gradient = x.T @ (predicted - targets) + penalty @ theta
        hessian = x.T @ (x * (predicted * (1 - predicted))[:, None]) + penalty + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def at_threshold(
    probabilities: Sequence[float], correct: Sequence[bool], threshold: float
) -> Tuple[float, float]:
    """(precision, share) of the tickets whose probability reaches the threshold."""
    chosen = [
        is_right
        for probability, is_right in zip(probabilities, correct, strict=True)
        if probability >= threshold
    ]
    return (sum(chosen) / len(chosen) if chosen else 0.0), len(chosen) / max(len(correct), 1)


def fit(classifications: Sequence[Classification], correct: Sequence[bool], fitted_on: str) -> Calibration:
    rows = [features(classification) for classification in classifications]
    weights, bias = fit_platt(rows, correct)
    calibration = Calibration(
        {name: round(float(weight), 4) for name, weight in zip(FEATURES, weights, strict=True)},
        round(bias, 4),
        1.0,
        fitted_on,
        len(rows),
        0.0,
        0.0,
    )
    probabilities = [calibration.probability(classification) for classification in classifications]
    precision, share = at_threshold(probabilities, correct, AUTO_ROUTE_PROBABILITY)
    return Calibration(
        calibration.weights,
        calibration.bias,
        AUTO_ROUTE_PROBABILITY,
        fitted_on,
        len(rows),
        round(precision, 4),
        round(share, 4),
    )
