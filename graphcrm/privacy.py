"""Which ad-hoc Cypher may run while personal data is off.

Whether a user sees personal data is decided by the runner, not by the query: without it, every
value a query returns is masked by key (`graphcrm.explore.mask_personal`), and a query that reads
a personal property in a way masking by key cannot catch is refused before it runs. A query is
refused when its text or its `EXPLAIN` plan

- names a personal key (`graphcrm.explore.is_personal`: `c.email`, `c{.phone}`, `{email: $x}`,
  `` c.`em\\u0061il` ``, `c.work_email`), in any case and any use, since a filter on a personal
  property is a way to read it one guess at a time;
- reads every property at once: `properties(x)` or an all-properties projection `x{.*}`;
- reads a property by a computed key (`c[k]`, `c['em' + 'ail']`, `c[$key]`): only whole numbers
  and slices of them may stand inside brackets (list indexing);
- calls a function outside Cypher's built-in namespaces (`apoc.map.values`, ...).

The text is read as tokens (strings and comments are skipped; backticked names are decoded as
Neo4j decodes them), and the plan, where Neo4j has already resolved literal subscripts into
property reads (`where['email']` becomes `where.email`), is read the same way, so a query that
disguises itself in one is caught in the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphcrm.errors import QueryRefused
from graphcrm.explore import is_personal

# Namespaces of Cypher's own functions (and of the procedures the console's allow-list admits).
BUILTIN_NAMESPACES: frozenset[str] = frozenset(
    {"date", "datetime", "localdatetime", "localtime", "time", "duration", "point", "vector", "db", "dbms"}
)
# Words after which `[` opens a list rather than indexing a value.
_LIST_OPENERS: frozenset[str] = frozenset(
    {
        "return", "with", "unwind", "in", "where", "and", "or", "xor", "not", "when", "then", "else",
        "case", "distinct", "contains", "starts", "ends", "is", "as", "set", "yield", "by", "skip", "limit",
    }
)  # fmt: skip
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
    | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
    | (?P<param>\$(?:[^\W\d]\w*|\d+|`(?:[^`]|``)*`))
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|0x[0-9a-fA-F]+)
    | (?P<name>[^\W\d]\w*)
    | (?P<range>\.\.)
    | (?P<symbol>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_CACHED_PROPERTY = re.compile(r"cache\w*", re.IGNORECASE)
# Functions that return a whole number (or null) whatever their arguments, allowed in an index.
_WHOLE_NUMBER_FUNCTIONS: frozenset[str] = frozenset({"size", "length", "tointeger", "count"})
_REFUSAL = (
    "This query reads personal data ({what}), which needs personal data turned on "
    "(--personal on the command line, 'Show personal data' in the dashboard)."
)


@dataclass(frozen=True)
class Token:
    kind: str  # name (bare or backticked), param, number, string, range or symbol
    text: str  # for names: the decoded name; for params: the name without `$`
    bare: bool = True  # a name written without backticks (could be a keyword)
    spaced: bool = False  # whitespace or a comment comes right before it


def tokens(text: str) -> list[Token]:
    """Cypher text as tokens, without whitespace and comments."""
    found: list[Token] = []
    spaced = False
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup or "symbol", match.group()
        if kind in ("space", "comment"):
            spaced = True
            continue
        if kind == "quoted":
            found.append(Token("name", _decode(value[1:-1]), bare=False, spaced=spaced))
        elif kind == "param":
            name = value[1:]
            found.append(Token("param", _decode(name[1:-1]) if name.startswith("`") else name, spaced=spaced))
        else:
            found.append(Token(kind, value, spaced=spaced))
        spaced = False
    return found


def _decode(quoted: str) -> str:
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), quoted.replace("``", "`"))


def screen_text(text: str, params: Mapping[str, Any]) -> None:
    """Raise QueryRefused (one sentence) if the query text reads personal data beyond what
    masking by key removes; see the module docstring for the rules."""
    _refuse(_problem(tokens(text), params, plan_text=False))


def screen_plan(plan: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """The same for an `EXPLAIN` plan (its operators' details, where Neo4j has resolved literal
    subscripts into property reads)."""
    for details in _plan_details(plan):
        _refuse(_problem(tokens(details), params, plan_text=True))


def _refuse(problem: str) -> None:
    if problem:
        raise QueryRefused(_REFUSAL.format(what=problem))


def _plan_details(plan: Mapping[str, Any]) -> Iterator[str]:
    args = plan.get("args") or {}
    for key in ("Details", "Expressions", "KeyNames"):
        if args.get(key):
            yield str(args[key])
    for child in plan.get("children") or ():
        yield from _plan_details(child)


def _problem(found: list[Token], params: Mapping[str, Any], *, plan_text: bool) -> str:
    """What in `found` reads personal data, in a few words, or '' when nothing does."""
    for i, token in enumerate(found):
        before = found[i - 1] if i else None
        after = found[i + 1] if i + 1 < len(found) else None
        if token.kind == "name" and is_personal(token.text.lower()):
            return f"it names the personal property {token.text}"
        if token.kind == "name" and after and after.text == "(" and token.text.lower() == "properties":
            return "properties() returns every property"
        if token.text == "*" and before and before.text == "." and before.kind == "symbol":
            return "a .* projection returns every property"
        if token.text == "." and after and after.kind == "name" and i + 2 < len(found):
            if found[i + 2].text == "(" and before and before.kind == "name":
                namespace = _namespace(found, i)
                if namespace.lower() not in BUILTIN_NAMESPACES:
                    return f"it calls the function {namespace}.{after.text}(), which may read any property"
        if token.text == "[" and _is_subscript(before, token, plan_text):
            inside = _bracketed(found, i)
            if not _whole_numbers(inside, params, plan_text, cached=_cached(before, inside, plan_text)):
                return "it reads a property by a computed key"
    return ""


def _namespace(found: list[Token], dot: int) -> str:
    """The first name of a dotted call such as `apoc.map.values(`, given the index of a dot in it."""
    start = dot - 1
    while start >= 2 and found[start - 1].text == "." and found[start - 2].kind == "name":
        start -= 2
    return found[start].text


def _is_subscript(before: Token | None, bracket: Token, plan_text: bool) -> bool:
    """Whether `bracket` (`[`) after `before` indexes a value (`x[...]`) rather than opening a
    list. Plans print an index right after its value (`where[k]`) and a list after a space
    (`IN [`), whatever the names; in query text a bare keyword before `[` opens a list."""
    if before is None or (plan_text and bracket.spaced):
        return False
    if before.kind == "name":
        return plan_text or not before.bare or before.text.lower() not in _LIST_OPENERS
    return before.kind in ("param", "string") or before.text in (")", "]", "}")


def _bracketed(found: list[Token], opening: int) -> list[Token]:
    depth = 0
    for j in range(opening, len(found)):
        depth += {"[": 1, "]": -1}.get(found[j].text, 0) if found[j].kind == "symbol" else 0
        if depth == 0:
            return found[opening + 1 : j]
    return found[opening + 1 :]


def _closing(found: list[Token], opening: int) -> int:
    """The index of the `)` that closes the `(` at `opening` (the last index if none does)."""
    depth = 0
    for j in range(opening, len(found)):
        depth += {"(": 1, ")": -1}.get(found[j].text, 0) if found[j].kind == "symbol" else 0
        if depth == 0:
            return j
    return len(found) - 1


def _cached(before: Token | None, inside: list[Token], plan_text: bool) -> bool:
    """A plan's cached property read, `cache[c.name]` (its key is checked as a name)."""
    shape = [t.kind for t in inside] == ["name", "symbol", "name"] and inside[1].text == "."
    return plan_text and before is not None and bool(_CACHED_PROPERTY.fullmatch(before.text)) and shape


def _whole_numbers(inside: list[Token], params: Mapping[str, Any], plan_text: bool, *, cached: bool) -> bool:
    """Whether a subscript can only be a list index or slice: numbers, `..`, `+ - * ( )`,
    `size(...)`-like calls, and parameters holding whole numbers (in plans, `$autoint_N`)."""
    if cached:
        return True
    skip_to = -1
    for j, token in enumerate(inside):
        if j <= skip_to:
            continue
        if token.kind == "name" and token.text.lower() in _WHOLE_NUMBER_FUNCTIONS and j + 1 < len(inside):
            if inside[j + 1].text == "(":
                skip_to = _closing(inside, j + 1)
                continue
        if token.kind == "number" or token.kind == "range" or token.text in ("+", "-", "*", "(", ")"):
            continue
        if token.kind == "param" and (
            (plan_text and token.text.startswith("autoint_"))
            or (isinstance(params.get(token.text), int) and not isinstance(params.get(token.text), bool))
        ):
            continue
        return False
    return True


__all__ = ["BUILTIN_NAMESPACES", "Token", "screen_plan", "screen_text", "tokens"]
