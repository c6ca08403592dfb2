"""EventBridge schedule expressions, evaluated locally."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.schedules import UnsupportedScheduleError, next_fire_time, scheduled_event
from cdk_app.local.template_model import ScheduleModel

CHICAGO = ZoneInfo("America/Chicago")


def test_daily_cron_in_the_schedule_time_zone() -> None:
    after = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # 06:00 in Chicago
    fires = next_fire_time("cron(0 10 * * ? *)", after, "America/Chicago")
    assert fires is not None
    assert fires.astimezone(CHICAGO).replace(tzinfo=None) == datetime(2026, 11, 21, 10, 0)
    assert fires == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)


def test_cron_moves_to_the_next_day_once_today_has_passed() -> None:
    after = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # 11:00 in Chicago
    fires = next_fire_time("cron(0 10 * * ? *)", after, "America/Chicago")
    assert fires == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


def test_cron_day_of_week_names_steps_and_ranges() -> None:
    saturday = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert next_fire_time("cron(15 9 ? * MON-FRI *)", saturday) == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert next_fire_time("cron(0/20 * * * ? *)", saturday) == datetime(2026, 11, 21, 0, 20, tzinfo=UTC)


def test_rate_and_at_expressions() -> None:
    start = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert next_fire_time("rate(5 minutes)", start) == datetime(2026, 11, 21, 0, 5, tzinfo=UTC)
    assert next_fire_time("at(2026-11-22T08:00:00)", start) == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert next_fire_time("at(2020-01-01T00:00:00)", start) is None


def test_unsupported_cron_features_are_reported() -> None:
    with pytest.raises(UnsupportedScheduleError):
        next_fire_time("cron(0 10 L * ? *)", datetime(2026, 1, 1, tzinfo=UTC))


def test_event_is_the_target_input_or_a_scheduled_event() -> None:
    address = ResourceAddress("Shop-local-Api", "Daily")
    function = ResourceAddress("Shop-local-Api", "fn")
    with_input = ScheduleModel(address, "rate(1 day)", function, input='{"job": "daily"}')
    assert scheduled_event(with_input, datetime(2026, 1, 1, tzinfo=UTC)) == {"job": "daily"}
    without = ScheduleModel(address, "rate(1 day)", function)
    event = scheduled_event(without, datetime(2026, 1, 1, tzinfo=UTC))
    assert (event["detail-type"], event["source"], event["time"]) == (
        "Scheduled Event",
        "aws.events",
        "2026-01-01T00:00:00Z",
    )
