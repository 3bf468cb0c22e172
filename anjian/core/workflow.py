"""Workflows in five parts: states, a transition table, guards, one transition row per move, and a
row lock with an optimistic version, so two people acting at once never both win.

An app declares the table of a stateful model once (``<app>/workflow.py``)::

    HAZARD_FLOW = Workflow(
        model=Hazard,
        transitions=[Transition("assign", _("分派"), (REPORTED, ASSIGNED), ASSIGNED, may=rules.may_assign), …],
        log=hazard_step,          # optional: the model's own log table; default WorkflowTransition
    )

and its services call ``HAZARD_FLOW.move(actor=…, record=…, name="assign", change=…)``. The
declared actions (``anjian.core.actions``) read the same table for their buttons, so a page, the
API and a job can only do what the table allows, with the same refusal messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.context import current_origin
from anjian.core.models import WorkflowTransition
from anjian.core.scoping import VIEW, restrict

Guard = Callable[[Any, Model], bool]


def anybody(user, record) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    """One row of the table: the action, the states it starts from, the state it leads to, and who
    may take it (a predicate from the app's ``rules.py``; scope aside)."""

    name: str
    label: Any
    sources: tuple[str, ...]
    target: str | None  # None: the state stays (e.g. re-assign)
    may: Guard = anybody


class Refused(ValidationError):
    """A transition refused for its state, the actor's role or a stale version (``code``)."""


@dataclass
class Workflow:
    model: type[Model]
    transitions: Iterable[Transition]
    state_field: str = "status"
    version_field: str | None = "version"
    # (record, actor, name, from_state, to_state, comment, data) -> the transition row
    log: Callable[..., Model] | None = None
    # Called with the locked record after its state changed, before it is saved (derived fields).
    on_move: Callable[[Model], None] | None = None
    # Labels of moves that are not user actions (a job's "overdue", …), for timelines.
    extra_labels: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.transitions = {t.name: t for t in self.transitions}

    # --- reading the table ---------------------------------------------------------------------

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def label(self, name: str) -> Any:
        if name in self.transitions:
            return self.transitions[name].label
        return self.extra_labels.get(name, name)

    def labels(self) -> dict[str, Any]:
        return {**self.extra_labels, **{name: t.label for name, t in self.transitions.items()}}

    def state(self, record: Model) -> str:
        return getattr(record, self.state_field)

    def applies(self, record: Model, name: str) -> bool:
        return self.state(record) in self.transitions[name].sources

    def allowed(self, user, record: Model) -> list[str]:
        """The moves ``user`` may make on ``record`` now (for buttons and API hints)."""
        return [name for name in self.transitions if self.refusal(user, record, name) is None]

    def refusal(self, user, record: Model, name: str) -> str | None:
        """Why ``user`` cannot make this move now (the very message the service raises), or None."""
        error = self._check(user, record, name)
        return error.messages[0] if error else None

    def _check(self, user, record: Model, name: str) -> Refused | None:
        rule = self.transitions[name]
        noun = self.model._meta.verbose_name
        if self.state(record) not in rule.sources:
            display = getattr(record, f"get_{self.state_field}_display", lambda: self.state(record))()
            return Refused(
                _("%(model)s当前为“%(state)s”，不能%(action)s")
                % {"model": noun, "state": display, "action": rule.label},
                code="state",
            )
        if user is not None and not rule.may(user, record):
            return Refused(_("您无权对该%(model)s执行此操作") % {"model": noun}, code="role")
        return None

    def stale(self) -> Refused:
        return Refused(
            _("该%(model)s已被他人处理，请刷新后重试") % {"model": self.model._meta.verbose_name}, code="stale"
        )

    # --- moving --------------------------------------------------------------------------------

    def move(
        self,
        *,
        actor,
        record: Model | int,
        name: str,
        change: Callable[[Model], dict[str, Any] | None] | None = None,
        expected_version: int | None = None,
        comment: str = "",
        queryset: QuerySet | None = None,
        after: Callable[[Model, Model], None] | None = None,
    ) -> Model:
        """Lock the record (inside the actor's scope), check version, state and guard, apply
        ``change`` (which may raise ValidationError and may return data for the transition row),
        set the target state, bump the version, write one transition row and one audit entry.
        ``after(record, row)`` runs in the same transaction (e.g. to attach evidence to the row).
        ``actor=None`` is the system (jobs): no scope, no guard."""
        pk = record.pk if isinstance(record, Model) else record
        rule = self.transitions[name]
        with transaction.atomic():
            base = queryset if queryset is not None else self.model._default_manager.all()
            base = base.select_for_update(of=("self",))
            if actor is not None:
                base = restrict(base, actor, VIEW)
            locked = base.filter(pk=pk).first()
            if locked is None:
                raise self.model.DoesNotExist
            if (
                expected_version is not None
                and self.version_field
                and getattr(locked, self.version_field) != expected_version
            ):
                raise self.stale()
            refused = self._check(actor, locked, name)
            if refused is not None:
                raise refused
            before = audit.snapshot(locked)
            from_state = self.state(locked)
            data = (change(locked) if change is not None else None) or {}
            to_state = rule.target if rule.target is not None else from_state
            setattr(locked, self.state_field, to_state)
            if self.version_field:
                setattr(locked, self.version_field, getattr(locked, self.version_field) + 1)
            if self.on_move is not None:
                self.on_move(locked)
            locked.save()
            row = self.record_move(locked, actor, name, from_state, to_state, comment, data)
            if after is not None:
                after(locked, row)
            changes = audit.diff(before, audit.snapshot(locked))
            if self.version_field:
                changes.pop(self.version_field, None)
            audit.record(actor=actor, action=name, instance=locked, changes=changes)
        return locked

    def record_move(
        self, record: Model, actor, name: str, from_state: str, to_state: str, comment: str = "", data=None
    ) -> Model:
        """The transition row of one move (also for moves a job makes without ``move``)."""
        if self.log is not None:
            return self.log(record, actor, name, from_state, to_state, comment, data or {})
        return WorkflowTransition.objects.create(
            model=audit.model_label(record),
            object_id=str(record.pk),
            action=name,
            from_state=from_state,
            to_state=to_state,
            actor=actor if getattr(actor, "pk", None) else None,
            at=timezone.now(),
            ip=current_origin().ip,
            comment=comment,
            data=audit._json_value(data or {}),
        )

    def history(self, record: Model) -> QuerySet:
        """The generic transition rows of a record, oldest first."""
        return WorkflowTransition.objects.filter(model=audit.model_label(record), object_id=str(record.pk)).order_by(
            "at", "id"
        )
