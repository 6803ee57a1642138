"""The Cypher files in `cypher/`: one loader for the CLI, the dashboard, the loader and the tests.

Each file starts with a header of `// key: value` comment lines::

    // name: top_referrers
    // description: Customers ranked by the value their converted referrals brought in.
    // question: Who should the partnership team thank (and reward) first?
    // param: limit integer = 10 -- how many rows
    // param: id string -- the customer's id (required: no default)

followed by the Cypher text. `cypher/*.cypher` is the analysts' library; `cypher/internal/`
holds the statements the package itself runs (import, projection, write-back), and
`cypher/schema.cypher` the constraints and indexes. Internal statements may contain `{label}`,
`{type}`, `{source}` or `{target}` placeholders, filled only from the model's constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from graphcrm import model

_PACKAGED = Path(__file__).resolve().parent / "cypher"
_CHECKOUT = Path(__file__).resolve().parent.parent / "cypher"
CYPHER_DIR = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
PARAM_TYPES = ("string", "integer", "float", "boolean", "list", "date")
_HEADER = re.compile(r"^//\s*(\w+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\s*=\s*(?P<default>.*?))?(?:\s+--\s*(?P<doc>.*))?$"
)


class CypherFileError(ValueError):
    """A Cypher file is missing or its header is malformed."""


@dataclass(frozen=True)
class Param:
    """One declared query parameter; `default` is None when the parameter is required."""

    name: str
    type: str
    default: str | None = None
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class CypherFile:
    """A parsed Cypher file: its header fields and its text."""

    name: str
    path: Path
    text: str
    description: str = ""
    question: str = ""
    params: tuple[Param, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)

    def statements(self) -> list[str]:
        """The file's statements, split on `;` at line ends (schema files hold several)."""
        parts = re.split(r";\s*$", self.text, flags=re.MULTILINE)
        return [p.strip() for p in parts if p.strip()]

    def render(self, **identifiers: str) -> str:
        """The text of an internal template with `{label}`-style placeholders filled from the
        model's own constants (`{{`/`}}` stand for literal braces)."""
        allowed = set(model.LABELS) | set(model.REL_TYPES)
        for key, value in identifiers.items():
            if value not in allowed:
                raise ValueError(f"{value!r} for {{{key}}} is not a label or type of the model")
        return self.text.format(**identifiers)


def parse(path: Path) -> CypherFile:
    """Parse one `.cypher` file; raise CypherFileError naming the file when its header is bad."""
    lines = path.read_text(encoding="utf-8").splitlines()
    meta: dict[str, str] = {}
    params: list[Param] = []
    body_start = len(lines)
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            if line.strip().startswith("//") or not line.strip():
                continue
            body_start = index
            break
        key, value = match.group(1), match.group(2)
        if key == "param":
            p = _PARAM.match(value)
            if not p or p.group("type") not in PARAM_TYPES:
                raise CypherFileError(f"{path.name}: bad param line {value!r}")
            params.append(Param(p.group("name"), p.group("type"), p.group("default"), p.group("doc") or ""))
        else:
            meta[key] = value
    if "name" not in meta:
        raise CypherFileError(f"{path.name}: the header has no 'name:' line")
    text = "\n".join(lines[body_start:]).strip()
    return CypherFile(
        name=meta["name"],
        path=path,
        text=text,
        description=meta.get("description", ""),
        question=meta.get("question", ""),
        params=tuple(params),
        meta=meta,
    )


@cache
def internal(name: str) -> CypherFile:
    """An internal statement from `cypher/internal/NAME.cypher`."""
    path = CYPHER_DIR / "internal" / f"{name}.cypher"
    if not path.exists():
        raise CypherFileError(f"no internal Cypher file {path.name}")
    return parse(path)


@cache
def schema() -> CypherFile:
    """Constraints and indexes, `cypher/schema.cypher`."""
    return parse(CYPHER_DIR / "schema.cypher")


def library() -> dict[str, CypherFile]:
    """The analysts' canned queries, `cypher/*.cypher` except the schema, by name."""
    found: dict[str, CypherFile] = {}
    for path in sorted(CYPHER_DIR.glob("*.cypher")):
        if path.name == "schema.cypher":
            continue
        query = parse(path)
        if query.name in found:
            raise CypherFileError(f"{path.name}: query name {query.name!r} is used twice")
        found[query.name] = query
    return found
