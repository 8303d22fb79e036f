"""Metrics: every figure the project reports, computed in one place, with scikit-learn where it has the metric."""
import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, precision_recall_fscore_support

__all__ = ["best_f1_threshold", "expected_calibration_error", "link_scores", "ranking_metrics", "reliability_diagram",
           "tagging_metrics", "undefined_as_none", "unsupported_flags"]


def expected_calibration_error(y, proba, bins=10):
    """ECE: the mean gap between confidence and frequency over equal-width bins, weighted by bin size.

    Examples
    --------
    >>> expected_calibration_error([0, 1], [0.0, 1.0])
    0.0
    """
    y, proba = np.asarray(y, float).ravel(), np.asarray(proba, float).ravel()
    if not len(y):
        return 0.0
    which = np.minimum((proba * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            gap += mask.sum() * abs(proba[mask].mean() - y[mask].mean())
    return float(gap / len(y))


def best_f1_threshold(y, proba):
    """The probability cut-off that maximises F1 on these scores, halfway to the next lower score
    so that it is not fitted to one sample's value.

    Examples
    --------
    >>> best_f1_threshold([0, 1, 1], [0.2, 0.6, 0.8])
    0.4
    """
    y, proba = np.asarray(y), np.asarray(proba, float)
    precision, recall, thresholds = precision_recall_curve(y, proba)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    f1 = f1.round(12)  # equal F1 computed along two paths may differ in the last bit
    best = len(f1) - 1 - int(np.argmax(f1[::-1]))  # of equal F1, the highest cut-off
    lower = proba[proba < thresholds[best]]
    return float((thresholds[best] + (lower.max() if len(lower) else 0.0)) / 2)


def ranking_metrics(y, conf, group, k=3):
    """Mean average precision and success@k over the groups (an indicator's candidates) that have a link.

    Success@k is the share of those groups with a link among their first k candidates.

    Examples
    --------
    >>> ranking_metrics(np.array([1, 0, 0, 1]), np.array([0.9, 0.1, 0.8, 0.2]), np.array([0, 0, 1, 1]), k=1)
    (0.75, 0.5)
    """
    aps, hits = [], []
    for g in np.unique(group):
        mask = group == g
        yi, ci = y[mask], conf[mask]
        if yi.sum() == 0:
            continue
        aps.append(float(average_precision_score(yi, ci)) if yi.sum() < len(yi) else 1.0)
        hits.append(float(yi[np.argsort(-ci, kind="stable")][:k].any()))
    return (float(np.mean(aps)) if aps else float("nan"), float(np.mean(hits)) if hits else float("nan"))


def undefined_as_none(figure):
    """None for an undefined figure (NaN: nothing to rank or nothing flagged), so metrics stay valid JSON."""
    return None if figure != figure else figure


def unsupported_flags(y, conf, group, weak):
    """For each group: whether it has a link, and whether its best confidence falls under `weak`."""
    ids = np.unique(group)
    has = np.array([y[group == g].max() for g in ids], bool)
    flagged = np.array([conf[group == g].max() < weak for g in ids], bool)
    return has, flagged


def link_scores(y, conf, group, baseline, weak):
    """Ranking, calibration and `unsupported`-flag figures of link confidences, with a baseline's ranking.

    Parameters
    ----------
    y, conf, group : ndarray of shape (n_pairs,)
        1 for a link, its confidence, and the group (an indicator's candidates) of each pair.
    baseline : ndarray of shape (n_pairs,)
        A plain ranking score (BM25) of the same pairs, ranked the same way.
    weak : float
        Confidence under which a group's best link leaves it ``unsupported``.
    """
    mean_ap, success3 = ranking_metrics(y, conf, group)
    base_ap, base_success3 = ranking_metrics(y, baseline, group)
    has, flagged = unsupported_flags(y, conf, group, weak)
    tp = int((flagged & ~has).sum())
    return {
        "indicators": int(len(has)), "indicators_with_links": int(has.sum()), "pairs": int(len(y)),
        "links": int(y.sum()),
        "map": undefined_as_none(mean_ap), "success_at_3": undefined_as_none(success3),
        "bm25_map": undefined_as_none(base_ap), "bm25_success_at_3": undefined_as_none(base_success3),
        "link_ece": expected_calibration_error(y, conf),
        "flagged_unsupported": int(flagged.sum()), "flagged_right": tp,
        "unsupported_precision": float(tp / flagged.sum()) if flagged.any() else None,
        "unsupported_recall": float(tp / (~has).sum()) if (~has).any() else None,
    }


def tagging_metrics(Y, pred, proba, categories):
    """Per-category precision, recall, F1 and support, macro-F1, ECE and the share of paragraphs whose
    label set is exactly right (no category passed counts as ``other``) of a multi-label tagging."""
    p, r, f, s = precision_recall_fscore_support(Y, pred, zero_division=0)
    per = {c: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]), "support": int(s[j])}
           for j, c in enumerate(categories)}
    exact = float(np.mean((np.asarray(Y) == np.asarray(pred)).all(axis=1))) if len(Y) else 0.0
    return {"per_category": per, "macro_f1": float(np.mean(f)), "ece": expected_calibration_error(Y, proba),
            "exact_label_set": exact}


def reliability_diagram(Y, proba, path, bins=10):
    """Write a reliability diagram of scores against observed frequencies as a PNG (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import CalibrationDisplay

    from .write import atomic_path

    y, p = np.asarray(Y, int).ravel(), np.asarray(proba, float).ravel()
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    CalibrationDisplay.from_predictions(y, p, n_bins=bins, ax=ax, name="category scores")
    ax.set(title=f"category scores, ECE {expected_calibration_error(y, p):.3f}")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
