"""Erasure (`graphcrm forget ID`): remove a person's personal data and keep them out for good.

What is personal is the model's own definition, not a list kept here: a node's `name`, the keys
`graphcrm.explore.is_personal` names (email, phone) and free text (`Prop.free_text`: interests,
touch-point notes). Without `keep_structure` the person's node is deleted with every relationship
and touch point; with it, the node stays (its id, non-personal properties and ties, so the graph's
shape and the analytics keep working) with its personal keys removed and the name `ERASED_NAME`,
and its touch points lose their notes. Stored analytics rows (`Finding`s) that name the person by
id or by name are deleted too; the batch's next run recomputes them.

The id then goes on the suppression list, `(:Suppressed {id})` nodes in Neo4j itself, so every
load and sync into that database honours it, whichever machine runs it (`load --wipe` carries the
list over to the new graph). A suppressed person's rows in an export are never written, and their
relationships in it are skipped (also when the anonymised node was kept: it keeps the ties it had
when the person was forgotten, and a sync neither updates nor removes them). Each erasure is
recorded, without the erased data: who (the signed-in user, else the operating-system user), when
and which id, on the `Suppressed` node and in the audit trail (`graphcrm.audit`).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import ManagedTransaction

from graphcrm import access, audit, model, queries, results
from graphcrm.db import Graph, native
from graphcrm.errors import AccessDenied, InputError, UnknownNode
from graphcrm.explore import is_personal

# The labels that stand for people; companies and partners are organisations, not data subjects.
PERSON_LABELS: tuple[str, ...] = (model.CUSTOMER, model.EMPLOYEE)
ERASED_NAME = "(erased)"


def personal_node_keys(label: str) -> tuple[str, ...]:
    """The properties of a `label` node that `forget` removes: its name and the model's personal
    and free-text keys (for a Customer: name, email, phone, interests)."""
    props = model.NODE_TYPES[label].props
    return ("name", *(key for key, prop in props.items() if is_personal(key) or prop.free_text))


def personal_touch_keys() -> tuple[str, ...]:
    """The touch-point (INTERACTED) properties `forget --keep-structure` removes (the note)."""
    props = model.REL_TYPES[model.INTERACTED].props
    return tuple(key for key, prop in props.items() if is_personal(key) or prop.free_text)


@dataclass(frozen=True)
class Suppression:
    """One id on the suppression list: who erased which person, when, and how."""

    id: str
    label: str
    erased_at: datetime | None
    erased_by: str
    structure_kept: bool

    def row(self) -> dict[str, Any]:
        """The parameters of `suppress.cypher`."""
        moment = self.erased_at.isoformat() if self.erased_at else None
        return {
            "id": self.id,
            "label": self.label,
            "erased_by": self.erased_by,
            "structure_kept": self.structure_kept,
            "erased_at": moment,
        }


@dataclass(frozen=True)
class Erasure:
    """What `forget` did: `already` is True when the id was forgotten before (nothing changed)."""

    id: str
    label: str
    structure_kept: bool
    already: bool = False
    findings_deleted: int = 0


def suppression_list(graph: Graph) -> list[Suppression]:
    """Every suppressed id, by id."""
    rows = graph.read(queries.internal("suppressed").render())
    return [
        Suppression(
            r["id"], r["label"], native(r["erased_at"]), r["erased_by"] or "", bool(r["structure_kept"])
        )
        for r in rows
    ]


def suppressed_ids(graph: Graph) -> set[str]:
    """The ids no load or sync may bring back."""
    return {entry.id for entry in suppression_list(graph)}


def restore_suppressions(graph: Graph, entries: list[Suppression]) -> None:
    """Put `entries` (read before the graph was replaced) back on the suppression list."""
    if entries:
        graph.write(queries.internal("suppress").render(), {"rows": [e.row() for e in entries]})


def current_user() -> str:
    """Who is erasing when nobody signed in: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def forget(
    graph: Graph,
    person_id: str,
    *,
    keep_structure: bool = False,
    user: str | None = None,
    role: str | None = None,
) -> Erasure:
    """Erase the person `person_id` (see the module docstring) and record it.

    `role` is the signed-in user's role where sign-in is on (None: no sign-in, e.g. the command
    line on the server's own machine); erasing needs the admin role. Raises AccessDenied for a
    role that may not, UnknownNode for an id that is neither a person nor on the suppression list,
    InputError for the id of a company or partner, and BatchRunning while a batch runs (it may
    have read the person already, and would store their rows again). Forgetting an id twice
    changes nothing, except that forgetting without `keep_structure` deletes the anonymised node
    an earlier `keep_structure` erasure left.
    """
    if not access.may(role, "erase"):
        raise AccessDenied(access.denial("erase", str(role)))
    person_id = person_id.strip()
    if not person_id:
        raise InputError("Give the id of the person to forget.")
    who = user or current_user()
    label = _person_label(graph, person_id)
    entry = next((e for e in suppression_list(graph) if e.id == person_id), None)
    if label is None and entry is None:
        raise UnknownNode(person_id, "customer or employee")
    if label is None or (entry is not None and keep_structure):
        # Nothing is left to erase: the node is gone, or it is the anonymised node of an earlier
        # erasure (loads never write a suppressed person's rows). Without --keep-structure now,
        # that anonymised node is deleted below.
        return Erasure(person_id, entry.label, entry.structure_kept, already=True)
    # Under the batch lock: a batch that read the person before this erasure would store their
    # rows again after it.
    with results.batch_lock(graph, f"{who} (an erasure)"):
        deleted = graph.run_write(lambda tx: _erase(tx, person_id, label, keep_structure, who))
        results.mark_graph_changed(graph)
    audit.append(
        audit.default_path(), who, "erasure", id=person_id, label=label, keep_structure=keep_structure
    )
    return Erasure(person_id, label, keep_structure, findings_deleted=deleted)


def _person_label(graph: Graph, node_id: str) -> str | None:
    """The label of the person with `node_id`, None if there is none; InputError for an
    organisation's id."""
    statement = queries.internal("existing_ids")
    for label in model.LABELS:
        if graph.read(statement.render(label=label), {"ids": [node_id]}):
            if label not in PERSON_LABELS:
                raise InputError(
                    f"{node_id!r} is a {label}, not a person: only customers and employees can be "
                    "forgotten (an organisation's data is not personal data)."
                )
            return label
    return None


def whole_token(text: str) -> str:
    """A Java regular expression (Cypher's ``=~``) matching any text in which `text` stands as a
    whole token: not inside a longer word or number, so "C1" matches "C1, C2" but not "C10",
    and "Ana" matches "Ana Silva" but not "Dana Popescu"."""
    quoted = "\\Q" + text.replace("\\E", "\\E\\\\E\\Q") + "\\E"
    word = "[\\p{L}\\p{N}_]"
    return f"(?s).*(?<!{word}){quoted}(?!{word}).*"


def _erase(tx: ManagedTransaction, person_id: str, label: str, keep_structure: bool, who: str) -> int:
    """One transaction: stored rows naming the person, then the node (or its personal keys), then
    the suppression record; returns how many stored rows were deleted."""
    name = tx.run(queries.internal("person_name").render(label=label), id=person_id).single()
    known_name = name["name"] if name and name["name"] not in (None, ERASED_NAME) else None
    findings = tx.run(
        queries.internal("forget_findings").render(),
        id=person_id,
        id_pattern=whole_token(person_id),
        name_pattern=whole_token(known_name) if known_name else None,
    )
    deleted = findings.single()["deleted"]
    if keep_structure:
        tx.run(
            queries.internal("anonymise_person").render(label=label),
            id=person_id,
            cleared=dict.fromkeys(personal_node_keys(label)),
            touch_cleared=dict.fromkeys(personal_touch_keys()),
            placeholder=ERASED_NAME,
        ).consume()
    else:
        tx.run(queries.internal("delete_person").render(label=label), id=person_id).consume()
    entry = Suppression(person_id, label, None, who, keep_structure)
    tx.run(queries.internal("suppress").render(), rows=[entry.row()]).consume()
    return deleted
