"""Errors the analyses raise for input a user can correct; `str()` is one sentence."""

from __future__ import annotations


class AnalysisInputError(ValueError):
    """An analysis was asked something it cannot answer (unknown id, no path, bad parameter)."""


class UnknownNode(AnalysisInputError):
    """An id that is not in the graph (or not of the expected kind)."""


class NoPath(AnalysisInputError):
    """No chain of relationships connects two nodes."""
