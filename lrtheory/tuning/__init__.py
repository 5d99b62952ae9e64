"""Tuning the learning rate: the range test and grid / random / Bayesian search.

* :func:`find_lr` -- the learning-rate range test (Smith 2017; fastai's ``lr_find``),
  several seeds in one compiled call, with fastai's suggestions and the distance to
  gradient descent's theory-optimal step when the problem's curvature is known.
* :func:`grid_search`, :func:`random_search`, :func:`bayes_search` -- each batch of
  candidates is one compiled ``jit(vmap(scan))``; results are tidy DataFrames.

Example:
  >>> from lrtheory.problems import quadratic
  >>> from lrtheory.tuning import grid_search
  >>> p = quadratic(dim=5, cond=10.0, seed=0)          # mu = 1, L = 10: 2/(L+mu) = 2/11
  >>> res = grid_search("gd", p, {"lr": [0.1, 2 / 11, 0.19]}, steps=100, objective="rate")
  >>> round(res.best["lr"], 4)
  0.1818
"""

from ._finder import LRFinderResult, Suggestion, find_lr
from ._search import SearchResult, bayes_search, grid_search, random_search

__all__ = ["find_lr", "grid_search", "random_search", "bayes_search", "LRFinderResult",
           "Suggestion", "SearchResult"]
