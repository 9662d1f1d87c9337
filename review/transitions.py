"""The one transition table of a base's material: which action moves it from which states to which
state, who may take it, and what it needs. To add an action or a state, add one row here.

    action           from                  to         who (relation to the material)   needs
    submit           draft, returned       submitted  the base's own filler            window, no blockers
    return           submitted             returned   reviewer of the base's authority comment or field notes
    approve          submitted             approved   reviewer of the base's authority explanations accepted
    accept           approved              accepted   the ministry                     —
    ministry_return  approved, accepted    returned   the ministry                     comment

Layering. The table is plain data in the domain layer, so `review.services` (which enforces it:
`services.transition_require`) and the pages (which read it: `services.transition_actions`) share
it, and tests are generated from it (review/tests/test_transitions.py). Who stands in which relation
to a material is the permissions module's decision, but services must never import `permissions`:
so an actor is named by a question of the port `lib.authz` (`Ask.OWN_FILLER`, ...), which the
permissions app answers once it is loaded. Unanswered, every actor check refuses (fail closed).

Reopening after a deadline is not a row: it does not move the material. A granted reopening window
is what the `WINDOW` need of `submit` looks for (registry.campaigns.base_window_open); the reopening
request has its own small life (待省级审核 → 待部级审批 → 已批准/未批准) in review.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lib.authz import Ask
from review.models import Transition
from submissions.models import Submission

S = Submission.Status
A = Transition.Action


class Need(StrEnum):
    """What an action needs besides the actor and the state. Each is checked in review.services."""

    # Before the base deadline or inside a granted reopening window; answering a return is always
    # allowed (the return itself asked for it).
    WINDOW = "window"
    # No errors, every warning explained, the development report complete, the sealed scans current.
    NO_BLOCKERS = "no_blockers"
    # Every explanation the material still needs is accepted by the reviewer.
    EXPLANATIONS_ACCEPTED = "explanations_accepted"
    # A written reason: the comment, or at least one comment at a field.
    COMMENT_OR_FIELD_NOTE = "comment_or_field_note"
    # A written reason in the comment itself.
    COMMENT = "comment"


# Needs that depend on what the actor types into the form; a page cannot know them in advance.
INPUT_NEEDS = frozenset({Need.COMMENT, Need.COMMENT_OR_FIELD_NOTE})


@dataclass(frozen=True)
class Action:
    name: str  # Transition.Action value
    label: str  # the button's text
    sources: frozenset[str]  # states the action starts from
    target: str  # the state it moves to
    actor: Ask  # the relation the user must stand in to the material
    actor_refusal: str  # the message for anyone else
    needs: tuple[Need, ...] = ()


TABLE: tuple[Action, ...] = (
    Action(
        name=A.SUBMIT,
        label="提交材料",
        sources=frozenset({S.DRAFT, S.RETURNED}),
        target=S.SUBMITTED,
        actor=Ask.OWN_FILLER,
        actor_refusal="只有本示范基地的填报员可以提交材料。",
        needs=(Need.WINDOW, Need.NO_BLOCKERS),
    ),
    Action(
        name=A.RETURN,
        label="退回",
        sources=frozenset({S.SUBMITTED}),
        target=S.RETURNED,
        actor=Ask.AUTHORITY_REVIEWER,
        actor_refusal="只有该示范基地所属省级主管部门的审核员可以进行初审。",
        needs=(Need.COMMENT_OR_FIELD_NOTE,),
    ),
    Action(
        name=A.APPROVE,
        label="初审通过",
        sources=frozenset({S.SUBMITTED}),
        target=S.APPROVED,
        actor=Ask.AUTHORITY_REVIEWER,
        actor_refusal="只有该示范基地所属省级主管部门的审核员可以进行初审。",
        needs=(Need.EXPLANATIONS_ACCEPTED,),
    ),
    Action(
        name=A.ACCEPT,
        label="受理",
        sources=frozenset({S.APPROVED}),
        target=S.ACCEPTED,
        actor=Ask.MINISTRY,
        actor_refusal="只有部级管理员可以进行此操作。",
    ),
    Action(
        name=A.MINISTRY_RETURN,
        label="退回",
        sources=frozenset({S.APPROVED, S.ACCEPTED}),
        target=S.RETURNED,
        actor=Ask.MINISTRY,
        actor_refusal="只有部级管理员可以进行此操作。",
        needs=(Need.COMMENT,),
    ),
)

BY_NAME: dict[str, Action] = {a.name: a for a in TABLE}


@dataclass(frozen=True)
class Availability:
    """One action for one user and one material: offered at all, and whether it would go through now.

    `offered`: the user is the action's actor and the material is in one of its states, so the page
    shows the action. `allowed`: offered and every need met (needs on the form's input are assumed
    met until the input is known). `failed`: the needs not met; `reasons`: why, in Chinese."""

    action: Action
    actor_ok: bool
    state_ok: bool
    failed: tuple[Need, ...]
    reasons: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def offered(self) -> bool:
        return self.actor_ok and self.state_ok

    @property
    def allowed(self) -> bool:
        return self.offered and not self.failed

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)

    def fails(self, need: str) -> bool:
        return need in self.failed
