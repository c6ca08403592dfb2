"""The one clock every domain stamps records with: UTC, millisecond ISO-8601 with a trailing Z."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current moment, timezone-aware in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """`moment` as the ISO-8601 string stored in every table (sorts lexically, ends in Z)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    """The current moment as the stored ISO-8601 string."""
    return iso(utc_now())
