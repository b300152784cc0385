"""The database tables as typed SQLAlchemy models: no Flask, no I/O."""

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from server.domain.delivery import Status

# Named constraints keep Alembic migrations deterministic on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
REMINDER_STATUSES = "status IN ({})".format(", ".join(f"'{status}'" for status in Status))


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no offset, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def packed_sqlite(self, column):
        """Return what db.all_rows reads of this column on SQLite, and the function parsing the column of it."""
        return column.op("||")(literal_column("'+00:00'")), sqlite_utc_column

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        """Return one small function per database instead of the decorator's chain of calls."""
        # A page or a summary reads hundreds of values, and datetime.replace(tzinfo=...) alone costs about 1 us.
        if dialect.name == "sqlite":
            return _sqlite_utc
        if dialect.name == "postgresql":
            return _aware_utc
        return super().result_processor(dialect, coltype)


def sqlite_utc_column(values: list) -> list:
    """Parse a column of SQLite's UTC text, read with "+00:00" appended (see packed_sqlite), as aware datetimes."""
    try:
        # One C call per value: wrapping each in _sqlite_utc cost two and a half times as much.
        return list(map(datetime.fromisoformat, values))
    except (TypeError, ValueError):  # a NULL, or text of another form: value by value (a NULL costs no call)
        return [None if value is None else _sqlite_utc(value.removesuffix("+00:00")) for value in values]


def _sqlite_utc(value):
    """Parse SQLite's naive UTC text as an aware datetime in one call."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value + "+00:00")
    except (TypeError, ValueError):
        # Text written by hand, with an offset or in another form: parse it the long way.
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _aware_utc(value):
    """Return the driver's datetime in UTC (already so when the connection's TimeZone is UTC, as db.py sets)."""
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who pumps, with their display settings."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    unit: Mapped[str] = mapped_column(String(2), default="ml")
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The milk storage guideline the stash's expiry follows: cdc, abm or 555 (server/domain/storage.py).
    stash_guideline: Mapped[str] = mapped_column(String(3), default="cdc", server_default="cdc")
    # The parent ticked "let caregivers see my pumping": caregivers then see sessions, summaries, goals and plans.
    caregivers_see_pumping: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The baby's local birth date, if she gives it: Trends counts days of life from it.
    birth_date: Mapped[date | None] = mapped_column(Date)
    # The language of her app, share page, report, reminders and CSV headers (server/domain/languages.py).
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")


class ApiToken(Base):
    """A device's bearer token, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PasswordReset(Base):
    """A single-use link to choose a new password, sent by e-mail and stored only as its token's hash."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A WebAuthn credential a parent registered to sign in with one tap instead of a password."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # base64url of the authenticator's credential id (at most 1,023 bytes).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # WebAuthn's counter is an unsigned 32-bit number: past 32-bit signed range on some authenticators.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasskeyChallenge(Base):
    """A WebAuthn challenge handed out for one passkey registration or sign-in: good once, for a few minutes."""

    __tablename__ = "passkey_challenges"
    __table_args__ = (CheckConstraint("purpose IN ('register', 'sign_in')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The account adding a passkey; none for a sign-in, where the passkey tells whose account it is.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(8))
    # base64url of the random challenge bytes.
    challenge: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Goal(Base):
    """A user's daily targets and the gaps they want to be reminded about."""

    __tablename__ = "goals"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    daily_volume_ml: Mapped[float] = mapped_column(Float)
    sessions_per_day: Mapped[int] = mapped_column(Integer)
    max_gap_day_min: Mapped[int] = mapped_column(Integer)
    max_gap_night_min: Mapped[int] = mapped_column(Integer)
    night_start: Mapped[time] = mapped_column(Time)
    night_end: Mapped[time] = mapped_column(Time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Plan(Base):
    """A template expanded for one user from a start time."""

    __tablename__ = "plans"
    __table_args__ = (
        # One active plan per template and user, also when two starts race; finished ones are closed first.
        Index(
            "uq_plans_active_template",
            "user_id",
            "template",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("uq_plans_user_import_key", "user_id", "import_key", unique=True),
        # Deleting a helper's account nulls her rows here: found through this small index (NULL for the parent's own).
        Index("ix_plans_logged_by", "logged_by_id", sqlite_where=text("logged_by_id IS NOT NULL"),
              postgresql_where=text("logged_by_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    template: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="active")
    params: Mapped[dict] = mapped_column(JSON)
    time_zone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where an imported plan came from ("pumpwell:plan:<template>:<start>"); None when started here.
    import_key: Mapped[str | None] = mapped_column(String(200))
    # Who proposed it when it was not the parent: the account (None once deleted) and the role it acted in.
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    logged_by_role: Mapped[str | None] = mapped_column(String(12))

    slots: Mapped[list["PlanSlot"]] = relationship(
        back_populates="plan", order_by="PlanSlot.index", cascade="all, delete-orphan"
    )


class PlanSlot(Base):
    """One planned pumping block of a plan, with its phases."""

    __tablename__ = "plan_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phases: Mapped[list] = mapped_column(JSON)
    # Why the block is not at its usual time (a night the clocks go back), as said when it was planned.
    note: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="slots")


class SummaryDay(Base):
    """One local day's figures as the summary computed them, kept until a change to the sessions reaches the day."""

    __tablename__ = "summary_days"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # What the figures were computed in: a row of another zone, of another version of the zone's rules (a new
    # tzdata), or of older summary rules, is computed again.
    time_zone: Mapped[str] = mapped_column(String(64))
    zone_data: Mapped[str] = mapped_column(String(16))
    rules: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float)
    sessions: Mapped[int] = mapped_column(Integer)
    left_ml: Mapped[float] = mapped_column(Float)
    right_ml: Mapped[float] = mapped_column(Float)
    pumping_min: Mapped[float] = mapped_column(Float)
    longest_gap_min: Mapped[float | None] = mapped_column(Float)
    night_sessions: Mapped[int] = mapped_column(Integer)
    # Amounts imported without sides (PumpSession.unsided_ml), counted in the day's total.
    unsided_ml: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))


class PumpSession(Base):
    """One pumping session; its id may come from the client so offline replays are idempotent."""

    __tablename__ = "pump_sessions"
    __table_args__ = (
        Index("ix_pump_sessions_user_started", "user_id", "started_at", "id"),
        # The gap reminder asks for the latest end after every change: an index lookup, not a scan.
        Index("ix_pump_sessions_user_ended", "user_id", "ended_at"),
        # A re-import finds what it brought before by provenance key: once per account.
        Index("uq_pump_sessions_user_import_key", "user_id", "import_key", unique=True),
        # Deleting a helper's account nulls her rows here: found through this small index (NULL for the parent's own).
        Index("ix_pump_sessions_logged_by", "logged_by_id", sqlite_where=text("logged_by_id IS NOT NULL"),
              postgresql_where=text("logged_by_id IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_ml: Mapped[float | None] = mapped_column(Float)
    right_ml: Mapped[float | None] = mapped_column(Float)
    # One amount without sides, as another app recorded it (an import); counted in the session's total.
    unsided_ml: Mapped[float | None] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(10))
    pump: Mapped[str | None] = mapped_column(String(100))
    flange_mm: Mapped[float | None] = mapped_column(Float)
    # The pump's suction or setting as the parent names it ("level 5", "expression 3, speed 70").
    pump_setting: Mapped[str | None] = mapped_column(String(100))
    pain: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    plan_slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_slots.id", ondelete="SET NULL"), index=True
    )
    # Hash of the create request's body: a replay with the same id must carry the same body.
    request_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where an imported session came from ("pumpwell:session:<id>", "huckleberry:<digest>"); None when logged here.
    import_key: Mapped[str | None] = mapped_column(String(200))
    # Who logged it when it was not the parent: the account (None once deleted) and the role it acted in.
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    logged_by_role: Mapped[str | None] = mapped_column(String(12))


class Reminder(Base):
    """Every notification to send: the dispatcher reads only this table."""

    __tablename__ = "reminders"
    __table_args__ = (
        # One pending reminder per thing: recomputing upserts instead of adding a second.
        Index(
            "uq_reminders_pending_dedupe",
            "user_id",
            "dedupe_key",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_reminders_status_send_after", "status", "send_after"),
        CheckConstraint(REMINDER_STATUSES, name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=Status.PENDING.value)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the dispatcher may next try: the due time, or later after a retry or snooze.
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    # When this sending was asked for (the due time, or the end of a snooze): the delivery id the phone knows it by.
    # A retry or a wait for the end of quiet hours moves send_after but not this, so a repeat shows silently.
    sending_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda context: context.get_current_parameters()["send_after"])
    # Past this moment the reminder is useless (the slot is over): expire it instead of sending.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)
    # Waits out quiet hours: a day-limit gap reminder, a stash reminder that can wait (the dispatcher checks at send).
    avoids_quiet_hours: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    # Indexed: deleting a plan's slots cascades here, one look-up per slot.
    plan_slot_id: Mapped[int | None] = mapped_column(ForeignKey("plan_slots.id", ondelete="CASCADE"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PushSubscription(Base):
    """A browser's push endpoint and keys for one of the user's devices."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The device token that saved it: signing that device out deletes its subscription.
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True)
    # Permanent refusals (400/403...) in a row; at the limit the subscription is stopped, not deleted,
    # so the phone can show why and turn reminders on again.
    refusals: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_reason: Mapped[str | None] = mapped_column(Text)


class Share(Base):
    """A read-only link for a consultant, stored only as the token's hash."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The parent ticked "include my stash" when making the link.
    include_stash: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class MilkBatch(Base):
    """A container of stored milk; its columns cache what its events lead to (server/domain/storage.py)."""

    __tablename__ = "milk_batches"
    __table_args__ = (
        # Use-first order is expiry order: the list pages through this index.
        Index("ix_milk_batches_user_expires", "user_id", "expires_at", "expressed_at", "id"),
        CheckConstraint("location IN ('room', 'cooler', 'fridge', 'freezer')", name="location"),
        CheckConstraint("entered_unit IN ('ml', 'oz')", name="entered_unit"),
        CheckConstraint("closed IS NULL OR closed IN ('used', 'discarded')", name="closed"),
        Index("uq_milk_batches_user_import_key", "user_id", "import_key", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pump_sessions.id", ondelete="SET NULL"), index=True
    )
    label: Mapped[str] = mapped_column(String(100), default="")
    # The volume as the parent entered it, in her unit; volume_ml is the same amount in mL.
    entered_volume: Mapped[float] = mapped_column(Float)
    entered_unit: Mapped[str] = mapped_column(String(2))
    volume_ml: Mapped[float] = mapped_column(Float)
    remaining_ml: Mapped[float] = mapped_column(Float)
    expressed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(8))
    location_since: Mapped[datetime] = mapped_column(UTCDateTime)
    first_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    thawed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    condition: Mapped[str] = mapped_column(String(16))
    closed: Mapped[str | None] = mapped_column(String(10))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discard_reason: Mapped[str | None] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where an imported container came from ("pumpwell:container:<id>"); None when added here.
    import_key: Mapped[str | None] = mapped_column(String(200))

    events: Mapped[list["MilkBatchEvent"]] = relationship(
        back_populates="batch", order_by="MilkBatchEvent.seq", cascade="all, delete-orphan"
    )


class MilkBatchEvent(Base):
    """One step of a container's history; its id may come from the client so a replayed action counts once."""

    __tablename__ = "milk_batch_events"
    __table_args__ = (
        CheckConstraint("kind IN ('expressed', 'moved', 'used', 'offered', 'discarded')", name="kind"),
        # Deleting a helper's account nulls her rows here: found through this small index (NULL for the parent's own).
        Index("ix_milk_batch_events_logged_by", "logged_by_id", sqlite_where=text("logged_by_id IS NOT NULL"),
              postgresql_where=text("logged_by_id IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("milk_batches.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Order of events with the same time (used, then offered, from one request).
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(8))
    volume_ml: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who did it when it was not the parent: the account (None once deleted) and the role it acted in.
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    logged_by_role: Mapped[str | None] = mapped_column(String(12))

    batch: Mapped[MilkBatch] = relationship(back_populates="events")


class RateLimitCounter(Base):
    """One rate-limit window's count, shared by every web process through the database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the limits library counts time.
    expires_at: Mapped[float] = mapped_column(Float)


ROLES = "role IN ('caregiver', 'partner', 'consultant')"


class Grant(Base):
    """Access a parent (the owner) gives another account, in a role of server/domain/household.py."""

    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("owner_id", "grantee_id"), CheckConstraint(ROLES, name="role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    grantee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Invitation(Base):
    """A single-use, expiring link that grants a role to whoever accepts it; only the token's hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(ROLES, name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanProposal(Base):
    """A plan a consultant proposes; nothing changes until the parent accepts it, which starts the plan."""

    __tablename__ = "plan_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status"),
        Index("ix_plan_proposals_proposed_by", "proposed_by_id", sqlite_where=text("proposed_by_id IS NOT NULL"),
              postgresql_where=text("proposed_by_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The consultant's account; None once she deleted it (the parent can still accept or decline).
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    template: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overrides: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
