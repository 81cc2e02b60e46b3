"""Where verdicts are kept: one SQL table through SQLAlchemy 2 (SQLite by default, or PostgreSQL).

A verdict is stored once per (user, report id), so a retried report is a
duplicate, not a second attempt. Every write is committed before the service
answers, and SQLite runs with ``synchronous=FULL``, so a restart loses nothing.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import (Boolean, Float, Integer, String, UniqueConstraint, create_engine, event, func, select)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    """The service's tables."""


class Verdict(Base):
    """One self-check verdict as a learner's kernel reported it."""

    __tablename__ = "verdicts"
    __table_args__ = (UniqueConstraint("user", "report_id", name="one_report_per_id"),)

    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(255), index=True)
    report_id: Mapped[str] = mapped_column(String(32))
    lesson: Mapped[str] = mapped_column(String(100))
    exercise: Mapped[str] = mapped_column(String(100))
    passed: Mapped[bool] = mapped_column(Boolean)
    attempt: Mapped[int] = mapped_column(Integer)
    kernel_time: Mapped[float] = mapped_column(Float)  # the kernel's clock, as sent
    received: Mapped[float] = mapped_column(Float, index=True)  # the service's clock


@dataclass
class Cell:
    """One learner's record on one exercise (a cell of the dashboard's grid).

    ``fails_since_pass`` counts the failed reports received after their last pass
    (all of them if they never passed); ``last_pass`` is that pass's receive time.
    """

    lesson: str
    exercise: str
    passed: bool = False
    attempts: int = 0
    fails_since_pass: int = 0
    last: float = 0.0  # the kernel's time of their latest report
    last_received: float = 0.0
    last_pass: float | None = None


def _durable_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:  # noqa: ANN001  (DB-API connection)
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


class Store:
    """The verdicts table behind a database URL (``sqlite:///path`` or ``postgresql://…``)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            _durable_sqlite(self.engine)
        Base.metadata.create_all(self.engine)

    def add(self, user: str, report: dict, received: float | None = None) -> bool:
        """Store one validated report for ``user``; False if that id was already stored for them."""
        verdict = Verdict(user=user, report_id=report["id"], lesson=report["lesson"],
                          exercise=report["exercise"], passed=report["passed"], attempt=report["attempt"],
                          kernel_time=float(report["time"]), received=received or time.time())
        with Session(self.engine) as session:
            session.add(verdict)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

    def count(self, user: str | None = None) -> int:
        """How many verdicts are stored (for ``user`` only, if given)."""
        query = select(func.count()).select_from(Verdict)
        if user is not None:
            query = query.where(Verdict.user == user)
        with Session(self.engine) as session:
            return session.scalar(query) or 0

    def version(self) -> int:
        """A number that grows with every stored verdict (the last row's key; 0 when empty)."""
        with Session(self.engine) as session:
            return session.scalar(select(func.max(Verdict.row))) or 0

    def cells(self, user: str | None = None) -> dict[str, dict[str, Cell]]:
        """Every learner's cells, ``{user: {exercise: Cell}}`` (only ``user``'s, if given)."""
        query = select(Verdict.user, Verdict.lesson, Verdict.exercise, Verdict.passed,
                       Verdict.kernel_time, Verdict.received).order_by(Verdict.received, Verdict.row)
        if user is not None:
            query = query.where(Verdict.user == user)
        grid: dict[str, dict[str, Cell]] = {}
        with Session(self.engine) as session:
            for name, lesson, exercise, passed, kernel_time, received in session.execute(query):
                cell = grid.setdefault(name, {}).setdefault(exercise, Cell(lesson, exercise))
                cell.attempts += 1
                cell.last, cell.last_received = max(cell.last, kernel_time), received
                if passed:
                    cell.passed, cell.last_pass, cell.fails_since_pass = True, received, 0
                else:
                    cell.fails_since_pass += 1
        return grid

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
