"""Keep erased people out of a load or sync: drop the suppressed ids' rows from a validated dataset.

A suppressed person's node row is never written, and so are none of the relationships or touch
points in the export that start or end at them (see `graphcrm.erasure` for why, and for what
happens to an anonymised node). What was withheld is reported by count and id only: an export's
rows for an erased person are personal data that must not reach a terminal or a log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphcrm.ingest.validate import Dataset, ExistingLabels


@dataclass(frozen=True)
class Withheld:
    """The suppressed ids an export still held, and how many of its relationships touched them."""

    ids: tuple[str, ...] = ()
    relationships: int = 0
    by_label: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.ids or self.relationships)

    def sentence(self) -> str:
        """One line for the load's report: counts and ids, nothing else of the rows."""
        shown = ", ".join(self.ids[:20]) + (f" and {len(self.ids) - 20} more" if len(self.ids) > 20 else "")
        people = f"{len(self.ids):,} erased {'person' if len(self.ids) == 1 else 'people'}"
        return (
            f"Suppressed {people} ({shown or 'none in the node files'}) and "
            f"{self.relationships:,} relationship(s) to them: forgotten ids are never loaded again."
        )


def withhold(dataset: Dataset, suppressed: set[str]) -> Withheld:
    """Remove from `dataset` (in place) every node row of a suppressed id and every relationship
    row with a suppressed endpoint; return what was removed."""
    if not suppressed:
        return Withheld()
    ids: list[str] = []
    by_label: dict[str, int] = {}
    for label, rows in dataset.nodes.items():
        kept = [row for row in rows if row["id"] not in suppressed]
        if len(kept) < len(rows):
            ids += [row["id"] for row in rows if row["id"] in suppressed]
            by_label[label] = len(rows) - len(kept)
            dataset.nodes[label] = kept
    skipped = 0
    for key, rows in dataset.relationships.items():
        kept = [row for row in rows if row["s"] not in suppressed and row["t"] not in suppressed]
        skipped += len(rows) - len(kept)
        dataset.relationships[key] = kept
    return Withheld(tuple(sorted(ids)), skipped, by_label)


def known_with_suppressed(lookup: ExistingLabels, suppressed: dict[str, str]) -> ExistingLabels:
    """`lookup` (ids in the database) that also knows the suppressed ids, under the label they had:
    an export that still refers to a person forgotten without `--keep-structure` (whose node is
    gone) validates, and the relationship is withheld rather than refused."""

    def known(ids: set[str]) -> dict[str, str]:
        found = {node_id: suppressed[node_id] for node_id in ids if node_id in suppressed}
        return {**found, **lookup(ids)}

    return known
