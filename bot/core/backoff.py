"""Free tries, then a wait that doubles after each further failure, up to a ceiling: how
wrong passwords (admin login) and wrong e-mail addresses (unlocking a declaration) slow
down whoever guesses, without ever locking out the right answer for good."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    free: int
    first: timedelta
    longest: timedelta

    def after(self, failures: int) -> timedelta:
        """How long the next try waits after ``failures`` failures."""
        if failures < self.free:
            return timedelta(0)
        return min(self.first * 2 ** min(failures - self.free, 20), self.longest)
