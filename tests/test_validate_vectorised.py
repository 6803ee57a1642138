"""The vectorised validator against the row-by-row reader it stands in for: the same records for
clean directories, never a record the exact reader would refuse, and the same `file:line: reason`
messages where the two CSV parsers could disagree (quoted line breaks, a byte-order mark, Arrow's
block boundaries, bad dates, empty and header-only files, another encoding)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphcrm.ingest import arrow_csv, vectorised
from graphcrm.ingest.csvfile import Limits
from graphcrm.ingest.validate import Dataset, ValidationFailed, read_directory

from .conftest import SAMPLE_DATA, TEST_DATA

TINY = TEST_DATA / "tiny"


def copy_tiny(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TINY, tmp_path / "data"))


def as_rows(dataset: Dataset) -> tuple[dict, dict]:
    """Every record as plain lists of row maps, ordered the same way for both validators."""
    nodes = {label: list(rows) for label, rows in dataset.nodes.items()}
    rels = {key: sorted(rows, key=repr) for key, rows in dataset.relationships.items()}
    return nodes, rels


def messages(directory: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as failed:
        read_directory(directory)
    return [str(issue) for issue in failed.value.issues]


@pytest.mark.parametrize("directory", [TINY, SAMPLE_DATA], ids=["tiny", "sample_data"])
def test_clean_directory_gives_the_row_by_row_readers_records(directory: Path) -> None:
    assert vectorised.read_clean(directory, None, Limits()) is not None, "the fast path must take it"
    fast = read_directory(directory)
    exact = read_directory(directory, vectorised_first=False)
    assert as_rows(fast) == as_rows(exact)
    assert fast.counts_by_label() == exact.counts_by_label()
    assert fast.counts_by_type() == exact.counts_by_type()


def test_datetimes_carry_utc_as_an_offset_like_the_exact_reader(tmp_path: Path) -> None:
    fast = read_directory(TINY)
    at = [row["props"]["at"] for rows in fast.relationships.values() for row in rows if "id" in row]
    exact = read_directory(TINY, vectorised_first=False)
    expected = [row["props"]["at"] for rows in exact.relationships.values() for row in rows if "id" in row]
    assert sorted(at) == sorted(expected)
    assert {type(value.tzinfo) for value in at} == {type(expected[0].tzinfo)}


# Cells at the edges of what the contract accepts: (file, original cell, replacement).
TRICKY_CELLS = (
    [
        ("customers.csv", "2021-03-01", value)
        for value in (
            "2024-02-29",
            "2023-02-29",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "2021-3-01",
            "20210301",
        )
    ]
    + [
        ("interactions.csv", "2026-10-01T10:00:00Z", value)
        for value in (
            "2026-10-01 10:00",
            "2026-10-01T10:00+0530",
            "2026-10-01T10:00+05:60",
            "2026-10-01T24:00Z",
            "2026-10-01T10:00:60Z",
            "2026-10-01T10:00:00.1234567Z",
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:30+01:00",
            "2026-10-01T10:00:00.5-03:00",
        )
    ]
    + [
        ("customers.csv", "12000.5", value)
        for value in ("1e3", ".5", "5.", "+7", "-0", "1e400", "nan", "inf", "1_000", "0x10", "-1")
    ]
    + [("customers.csv", "true,2021", f"{value},2021") for value in ("TRUE", "False", "yes", "1", "falſe")]
    + [
        ("customers.csv", "Ada Lovelace", value)
        for value in ("Ada\u00a0", "\u3000Ada", "Ada\x1f", "A\x85da", "Ad\ufeffa", "Ada\tL")
    ]
)


@pytest.mark.parametrize(("file", "original", "replacement"), TRICKY_CELLS)
def test_fast_path_never_accepts_what_the_exact_reader_refuses(
    tmp_path: Path, file: str, original: str, replacement: str
) -> None:
    directory = copy_tiny(tmp_path)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert original in text
    path.write_text(text.replace(original, replacement, 1), encoding="utf-8")
    clean = vectorised.read_clean(directory, None, Limits())
    try:
        exact = read_directory(directory, vectorised_first=False)
    except ValidationFailed:
        assert clean is None, f"{replacement!r} was accepted by the fast path only"
        return
    if clean is not None:
        assert as_rows(Dataset(*clean)) == as_rows(exact)


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    with (directory / "interactions.csv").open("a", encoding="utf-8") as handle:
        handle.write('I5,E1,C2,2026-01-01,call,0.1,"first line\nsecond line\r\nthird line"\n')
        handle.write("I6,E1,C2,2026-02-30,call,0.1,\n")
    # The header is line 1, I1-I4 lines 2-5, I5 spans lines 6-8, so I6 is on line 9.
    assert messages(directory) == [
        "interactions.csv:9: at: '2026-02-30' is not a valid date-time (year 1-9999, offset under 24 hours)"
    ]


def test_a_quoted_multiline_note_alone_is_clean_and_kept(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    with (directory / "interactions.csv").open("a", encoding="utf-8") as handle:
        handle.write('I5,E1,C2,2026-01-01,call,0.1,"first line\nsecond ""quoted"" line"\n')
    assert vectorised.read_clean(directory, None, Limits()) is not None
    notes = {
        row["id"]: row["props"]["note"]
        for rows in read_directory(directory).relationships.values()
        for row in rows
        if "id" in row
    }
    assert notes["I5"] == 'first line\nsecond "quoted" line'


def test_text_after_a_closing_quote_is_malformed_as_before(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    path = directory / "employees.csv"
    path.write_text(path.read_text().replace("Eve Manager", '"Eve" Manager'))
    assert messages(directory)[0] == "employees.csv:2: malformed CSV: ',' expected after '\"'"


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    path = directory / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert vectorised.read_clean(directory, None, Limits()) is not None
    assert as_rows(read_directory(directory)) == as_rows(read_directory(TINY))


def test_duplicate_ids_in_different_arrow_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow_csv, "_CHUNK", 4096)
    directory = copy_tiny(tmp_path)
    with (directory / "customers.csv").open("a", encoding="utf-8") as handle:
        for number in range(5, 1005):
            handle.write(f"C{number},Person {number},,,,,,,,\n")
        handle.write("C7,Someone Else,,,,,,,,\n")
    assert (directory / "customers.csv").stat().st_size > 5 * 4096
    assert messages(directory) == ["customers.csv:1006: duplicate id 'C7' (first at customers.csv:8)"]


def test_calendar_checks_a_bad_date(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    path = directory / "customers.csv"
    path.write_text(path.read_text().replace("2022-05-10", "2023-02-29"))
    assert messages(directory) == [
        "customers.csv:3: joined_on: '2023-02-29' is not a calendar date between 0001-01-01 and 9999-12-31"
    ]


def test_empty_file_and_header_only_file(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    (directory / "interactions.csv").write_text("id,employee,party,at,channel\n")
    assert vectorised.read_clean(directory, None, Limits()) is not None
    assert "INTERACTED" not in read_directory(directory).counts_by_type()
    (directory / "interactions.csv").write_text("")
    assert messages(directory) == ["interactions.csv:1: the file is empty (a header row is required)"]


def test_another_encoding_is_named_at_its_line(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    path = directory / "employees.csv"
    path.write_bytes(path.read_text().replace("Frank Rep", "Fr\u00e4nk Rep").encode("latin-1"))
    assert messages(directory)[0] == "employees.csv:3: not UTF-8 (byte 0xe4 at byte 6 of the line)"
