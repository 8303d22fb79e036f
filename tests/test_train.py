import numpy as np
import pytest

from nlp.evaluate import _status_cutoffs
from nlp.metrics import expected_calibration_error, ranking_metrics


@pytest.mark.parametrize("y, p, expected", [
    ([0, 1], [0.0, 1.0], 0.0),
    ([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5], 0.0),
    ([1, 1, 1, 1], [0.5, 0.5, 0.5, 0.5], 0.5),
    ([0, 1, 0, 1], [0.9, 0.9, 0.1, 0.1], 0.4),
])
def test_expected_calibration_error(y, p, expected):
    assert expected_calibration_error(y, p) == pytest.approx(expected)


def test_ranking_metrics():
    # indicator 0: evidence ranked 1st and 3rd; indicator 1: evidence ranked 4th; indicator 2: none
    y = np.array([1, 0, 1, 0, 0, 0, 0, 1, 0, 0])
    conf = np.array([.9, .8, .7, .1, .9, .8, .7, .6, .5, .4])
    owner = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    mean_ap, recall3 = ranking_metrics(y, conf, owner)
    assert mean_ap == pytest.approx(((1 + 2 / 3) / 2 + 1 / 4) / 2)
    assert recall3 == pytest.approx((2 / 2 + 0 / 1) / 2)


def test_status_cutoffs_separate_supported_from_unsupported():
    y = np.array([1, 0, 1, 0, 0, 0])
    conf = np.array([.9, .1, .8, .2, .15, .1])
    owner = np.array([0, 0, 1, 1, 2, 2])
    # Only indicator 2 has no evidence; its best link (0.15) is the one to flag.
    assert _status_cutoffs(y, conf, owner) == (0.2, 0.2)
