"""Document filters (``--since``, ``--until``, ``--where``) and the buckets rows are grouped by
(``--by year|month|source|venue|doc``); the denominator of every measure follows the filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.errors import PipelineError

BY_CHOICES = ("year", "month", "source", "venue", "doc")
WHERE_COLUMNS = ("source", "venue", "doc", "date_source", "year", "path")
UNDATED = "undated"
NONE_BUCKET = "(none)"


@dataclass(frozen=True)
class Filters:
    """Document filters; the denominator follows them."""

    since: int | None = None
    until: int | None = None
    where: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, *, since: int | None = None, until: int | None = None, where: Iterable[str] = ()) -> "Filters":
        pairs = []
        for item in where:
            column, sep, value = item.partition("=")
            column = column.strip()
            if not sep or column not in WHERE_COLUMNS:
                raise PipelineError(
                    f"--where {item!r}: expected COLUMN=VALUE with COLUMN one of {', '.join(WHERE_COLUMNS)}"
                )
            pairs.append((column, value.strip()))
        if since is not None and until is not None and since > until:
            raise PipelineError(f"--since {since} is after --until {until}")
        return cls(since=since, until=until, where=tuple(pairs))

    def sql(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for column, value in self.where:
            if column == "year":
                clauses.append("CAST(year AS VARCHAR) = ?")
            else:
                clauses.append(f'"{column}" = ?')
            params.append(value)
        if self.since is not None:
            clauses.append("year >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("year <= ?")
            params.append(self.until)
        return (" AND ".join(clauses) or "TRUE"), params

    @property
    def dated_only(self) -> bool:
        return self.since is not None or self.until is not None

    def describe(self) -> str:
        parts = [f"{c}={v}" for c, v in self.where]
        if self.since is not None:
            parts.append(f"year>={self.since}")
        if self.until is not None:
            parts.append(f"year<={self.until}")
        return ", ".join(parts) or "none"


BUCKET_SQL = {
    "year": f"coalesce(CAST(year AS VARCHAR), '{UNDATED}')",
    "month": (
        "CASE WHEN regexp_matches(coalesce(published, ''), '^\\d{4}-\\d{2}') THEN substr(published, 1, 7) "
        f"WHEN year IS NOT NULL THEN CAST(year AS VARCHAR) || '-??' ELSE '{UNDATED}' END"
    ),
    "source": f"coalesce(source, '{NONE_BUCKET}')",
    "venue": f"coalesce(venue, '{NONE_BUCKET}')",
    "doc": "doc",
}


def bucket_sort_key(by: str, bucket: str, order: int) -> tuple:
    if by == "doc":
        return (0, order)
    if bucket in (UNDATED, NONE_BUCKET):
        return (1, 0)
    return (0, bucket)
