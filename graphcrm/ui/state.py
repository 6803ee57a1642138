"""Page state kept in the URL (`st.query_params`), so a link opens the same view for a colleague.

Parsing is strict but forgiving: a value that is not part of the model, or a number out of range,
is dropped with a message saying so, and the page falls back to the default.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from graphcrm import model
from graphcrm.explore import DEFAULT_TYPES


@dataclass
class ExploreState:
    """The Explore page's view: start node, depth and filters."""

    node: str | None = None
    depth: int = 1
    labels: list[str] = field(default_factory=lambda: list(model.LABELS))
    types: list[str] = field(default_factory=lambda: list(DEFAULT_TYPES))
    stages: list[str] = field(default_factory=list)
    min_strength: float = 0.0
    problems: list[str] = field(default_factory=list)


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    getter = getattr(params, "get_all", None)
    if getter is not None:
        return [v for v in getter(key) if v]
    value = params.get(key)
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else str(value).split(",")) if v]


def _choices(
    params: Mapping[str, Any], key: str, allowed: tuple[str, ...], problems: list[str]
) -> list[str] | None:
    values = _values(params, key)
    if not values:
        return None
    bad = [v for v in values if v not in allowed]
    if bad:
        problems.append(
            f"Ignored {key} {', '.join(map(repr, bad))} from the link: not one of {', '.join(allowed)}."
        )
    return [v for v in values if v in allowed]


def explore_state(params: Mapping[str, Any]) -> ExploreState:
    """The Explore state a URL asks for (defaults where it says nothing or something invalid)."""
    result = ExploreState()
    problems = result.problems
    node = params.get("node")
    result.node = str(node) if node else None
    depth = params.get("depth")
    if depth is not None:
        if str(depth) in ("1", "2", "3"):
            result.depth = int(depth)
        else:
            problems.append(f"Ignored depth {depth!r} from the link: it must be 1, 2 or 3.")
    labels = _choices(params, "label", model.LABELS, problems)
    types = _choices(params, "type", tuple(model.REL_TYPES), problems)
    stages = _choices(params, "stage", model.STAGES, problems)
    result.labels = labels or result.labels
    result.types = types or result.types
    result.stages = stages or []
    strength = params.get("strength")
    if strength is not None:
        try:
            value = float(strength)
        except ValueError:
            value = -1.0
        if 0.0 <= value <= 1.0:
            result.min_strength = value
        else:
            problems.append(f"Ignored strength {strength!r} from the link: it must be a number from 0 to 1.")
    return result


def store_explore_state(params: MutableMapping[str, Any], view: ExploreState) -> None:
    """Write the view into the URL, leaving out what equals the default."""
    default = ExploreState()
    wanted: dict[str, Any] = {}
    if view.node:
        wanted["node"] = view.node
    if view.depth != default.depth:
        wanted["depth"] = str(view.depth)
    if sorted(view.labels) != sorted(default.labels):
        wanted["label"] = list(view.labels)
    if sorted(view.types) != sorted(default.types):
        wanted["type"] = list(view.types)
    if view.stages:
        wanted["stage"] = list(view.stages)
    if view.min_strength:
        wanted["strength"] = f"{view.min_strength:g}"
    current = {key: _values(params, key) for key in ("node", "depth", "label", "type", "stage", "strength")}
    normalised = {key: (value if isinstance(value, list) else [value]) for key, value in wanted.items()}
    if {k: v for k, v in current.items() if v} != normalised:
        for key in ("node", "depth", "label", "type", "stage", "strength"):
            if key in params:
                del params[key]
        for key, value in wanted.items():
            params[key] = value
