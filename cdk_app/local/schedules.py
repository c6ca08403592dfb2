"""EventBridge schedules, locally: `cron(...)`, `rate(...)` and `at(...)` expressions fire their function.

A schedule can also be fired at once (`POST /_local/schedules/<function name>`), which is what one
usually wants while developing a nightly job. Unsupported cron features (`L`, `W`, `#`) leave the
schedule to manual firing, with a warning.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cdk_app.local.intrinsics import LOCAL_ACCOUNT, LOCAL_REGION, ResourceAddress
from cdk_app.local.template_model import ScheduleModel

logger = logging.getLogger(__name__)

Invoke = Callable[[ResourceAddress, Any], Any]
_MONTHS = {
    name: index
    for index, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DAYS = {
    name: index for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)
}  # EventBridge: SUN=1
_SEARCH_DAYS = 366 * 5


class UnsupportedScheduleError(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The values a cron field allows; None for `*` / `?` (anything)."""
    if text in ("*", "?"):
        return None
    if any(marker in text for marker in ("L", "W", "#")) and not (names and text.upper() in names):
        raise UnsupportedScheduleError(f"cron field {text!r}")
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1

        def number(token: str) -> int:
            return names[token.upper()] if names and token.upper() in names else int(token)

        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(base)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class CronExpression:
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days_of_month: frozenset[int] | None
    months: frozenset[int] | None
    days_of_week: frozenset[int] | None
    years: frozenset[int] | None

    @classmethod
    def parse(cls, body: str) -> CronExpression:
        fields = body.split()
        if len(fields) != 6:
            raise UnsupportedScheduleError(f"cron needs 6 fields: {body!r}")
        return cls(
            _field(fields[0], 0, 59),
            _field(fields[1], 0, 23),
            _field(fields[2], 1, 31),
            _field(fields[3], 1, 12, _MONTHS),
            _field(fields[4], 1, 7, _DAYS),
            _field(fields[5], 1970, 2199),
        )

    def _day_matches(self, day: datetime) -> bool:
        weekday = day.isoweekday() % 7 + 1  # Monday=1..Sunday=7 → SUN=1..SAT=7
        return (
            (self.years is None or day.year in self.years)
            and (self.months is None or day.month in self.months)
            and (self.days_of_month is None or day.day in self.days_of_month)
            and (self.days_of_week is None or weekday in self.days_of_week)
        )

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute strictly after `moment` (in `moment`'s time zone)."""
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        hours = sorted(self.hours) if self.hours is not None else list(range(24))
        minutes = sorted(self.minutes) if self.minutes is not None else list(range(60))
        day = start.replace(hour=0, minute=0)
        for _ in range(_SEARCH_DAYS):
            if self._day_matches(day):
                for hour in hours:
                    for minute in minutes:
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day = (day + timedelta(days=1)).replace(hour=0, minute=0)
        return None


_RATE = re.compile(r"^(\d+)\s+(minute|minutes|hour|hours|day|days)$")


def next_fire_time(expression: str, after: datetime, timezone: str = "UTC") -> datetime | None:
    """When `expression` next fires after `after` (an aware datetime); None if never."""
    kind, _, rest = expression.strip().partition("(")
    body = rest.rstrip(")").strip()
    zone = ZoneInfo(timezone or "UTC")
    if kind == "rate":
        match = _RATE.match(body)
        if not match:
            raise UnsupportedScheduleError(expression)
        amount, unit = int(match.group(1)), match.group(2).rstrip("s")
        return after + timedelta(**{f"{unit}s": amount})
    if kind == "at":
        moment = datetime.fromisoformat(body).replace(tzinfo=zone)
        return moment if moment > after else None
    if kind == "cron":
        found = CronExpression.parse(body).next_after(after.astimezone(zone))
        return found.astimezone(UTC) if found else None
    raise UnsupportedScheduleError(expression)


def scheduled_event(schedule: ScheduleModel, when: datetime) -> Any:
    """The target's Input when the template sets one, otherwise EventBridge's `Scheduled Event`."""
    if schedule.input is not None:
        try:
            return json.loads(schedule.input)
        except ValueError:
            return schedule.input
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": LOCAL_REGION,
        "resources": [f"arn:aws:events:{LOCAL_REGION}:{LOCAL_ACCOUNT}:rule/{schedule.address.logical_id}"],
        "detail": {},
    }


class ScheduleRunner:
    """Fires every enabled schedule at its time, in one thread; `fire` runs one now."""

    def __init__(
        self,
        schedules: tuple[ScheduleModel, ...],
        invoke: Invoke,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.schedules = schedules
        self._invoke = invoke
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def fire(self, schedule: ScheduleModel) -> Any:
        return self._invoke(schedule.function, scheduled_event(schedule, self._clock()))

    def _next(self, schedule: ScheduleModel, after: datetime) -> datetime | None:
        try:
            return next_fire_time(schedule.expression, after, schedule.timezone)
        except (UnsupportedScheduleError, ValueError) as error:
            logger.warning("local runner: schedule %s fires only by hand: %s", schedule.address, error)
            return None

    def start(self) -> ScheduleRunner:
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        now = self._clock()
        due = {schedule: self._next(schedule, now) for schedule in self.schedules if schedule.enabled}
        while not self._stopping.is_set():
            pending = [(when, schedule) for schedule, when in due.items() if when is not None]
            if not pending:
                return
            when, schedule = min(pending, key=lambda item: item[0])
            wait = (when - self._clock()).total_seconds()
            if wait > 0:
                self._stopping.wait(min(wait, 30.0))  # re-check now and then: the clock may jump
                continue
            try:
                self.fire(schedule)
            except Exception:
                logger.exception("local runner: scheduled run of %s failed", schedule.function)
            due[schedule] = self._next(schedule, when)
