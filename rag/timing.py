"""Time spent per stage, for `Answer.meta["timings_ms"]` and `BuildReport.stages`."""

from __future__ import annotations

import time


class Clock:
    """Laps: each `lap(stage)` records the time since the previous lap (or the start)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}  # seconds, in the order the stages ran
        self._last = self._start = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = self.laps.get(stage, 0.0) + now - self._last
        self._last = now

    @property
    def total(self) -> float:
        return self._last - self._start

    def ms(self) -> dict[str, float]:
        """The laps and their total in milliseconds, rounded to 0.01."""
        return {k: round(v * 1000, 2) for k, v in {**self.laps, "total": self.total}.items()}

    def seconds(self) -> dict[str, float]:
        """The laps in seconds, rounded to 0.001."""
        return {k: round(v, 3) for k, v in self.laps.items()}
