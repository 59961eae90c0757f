"""`secreview bench`: score secreview or another tool's SARIF against labeled datasets. See README.md here."""

from __future__ import annotations

from secreview.bench.datasets import Dataset, DatasetError, Label, load_dataset
from secreview.bench.score import Hit, score, secreview_hits

__all__ = ["Dataset", "DatasetError", "Hit", "Label", "load_dataset", "score", "secreview_hits"]
