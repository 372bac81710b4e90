"""Access declarations for views. A view without one is refused by DefaultDenyMiddleware.

@public                      anyone, signed in or not (login page, language switch)
@authenticated               any signed-in user; objects are then scoped in the view
@requires(Capability.X)      a signed-in user who holds X somewhere (coarse gate;
                             the view still scopes the object it loads)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from govplan.access.scoping import Capability

F = TypeVar("F", bound=Callable[..., Any])

POLICY_ATTR = "access_policy"


@dataclass(frozen=True)
class Policy:
    login_required: bool
    capability: Capability | None = None

    def describe(self) -> str:
        if not self.login_required:
            return "public"
        return f"requires {self.capability}" if self.capability else "authenticated"


def _declare(policy: Policy) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, POLICY_ATTR, policy)
        return view

    return decorate


public = _declare(Policy(login_required=False))
authenticated = _declare(Policy(login_required=True))


def requires(capability: Capability) -> Callable[[F], F]:
    return _declare(Policy(login_required=True, capability=capability))


def policy_of(view: Callable[..., Any]) -> Policy | None:
    policy = getattr(view, POLICY_ATTR, None)
    return policy if isinstance(policy, Policy) else None
