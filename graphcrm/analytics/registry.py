"""Every analysis graphcrm has, by name: the declarations the CLI, the dashboard, write-back and
the README's analytics table are built from. Adding an analysis means adding its module here."""

from __future__ import annotations

from graphcrm.analytics import communities, coverage, funnel, influencers, intro, partners, referrals, rings
from graphcrm.analytics.spec import Analysis
from graphcrm.errors import AnalysisInputError

ANALYSES: dict[str, Analysis] = {
    spec.name: spec
    for spec in (
        influencers.SPEC,
        referrals.SPEC,
        communities.SPEC,
        intro.SPEC,
        coverage.SPEC,
        partners.SPEC,
        rings.SPEC,
        funnel.SPEC,
    )
}
# What the batch (`analyze all --write`) stores, in the order it runs them.
BATCH: tuple[str, ...] = (
    "influencers",
    "communities",
    "rings",
    "coverage",
    "partners",
    "referrals",
    "funnel",
)


def analysis(name: str) -> Analysis:
    """The declaration of analysis `name`; AnalysisInputError lists the known ones."""
    if name not in ANALYSES:
        raise AnalysisInputError(f"Unknown analysis {name!r}; choose one of {', '.join(ANALYSES)}.")
    return ANALYSES[name]


def readme_table() -> str:
    """The README's analytics table (Markdown), built from the declarations."""
    lines = ["| analysis | what | options | tables | writes |", "| --- | --- | --- | --- | --- |"]
    for spec in ANALYSES.values():
        options = ", ".join(f"`{p.option}`" for p in spec.params)
        tables = ", ".join(t.name for t in spec.tables)
        writes = ", ".join(f"`{s}`" for s in spec.scores) or "—"
        lines.append(f"| `{spec.name}` | {spec.help} | {options} | {tables} | {writes} |")
    return "\n".join(lines)
