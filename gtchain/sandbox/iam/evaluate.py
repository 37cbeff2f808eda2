"""Identity-based IAM policy evaluation: pure, no moto, no I/O.

``evaluate(policies, request)`` answers what AWS answers for a principal whose only policies
are ``policies`` (the role's inline policies and attached managed policies, as JSON text or
dicts) making ``request`` (one action on one resource with its request context):

1. an applicable ``Deny`` statement -> ``Decision.EXPLICIT_DENY`` (it wins over any Allow);
2. else an applicable ``Allow`` -> ``Decision.ALLOW``;
3. else ``Decision.IMPLICIT_DENY``.

A statement applies when its ``Action`` (or ``NotAction``) and ``Resource`` (or
``NotResource``) match and every condition holds.

Matching rules (as IAM documents them):
- actions: ``service:Name`` globs (``*`` any run, ``?`` one character), case-insensitive;
- resources: case-sensitive globs; for an ARN pattern, ``*``/``?`` in the first five
  segments (partition, service, region, account) stay inside their segment, the resource
  part (after the fifth colon) matches anything including ``:`` and ``/``; ``"*"`` alone
  matches every resource;
- conditions: operators AND, keys AND, a key's policy values OR (NOR for a negated
  operator); condition key names are case-insensitive; a key missing from the request
  context makes a positive operator false and a negated one (``StringNotEquals``,
  ``StringNotLike``, ``ArnNotEquals``, ``ArnNotLike``, ``NumericNotEquals``) true;
  ``...IfExists`` is true when the key is missing; ``Null`` tests presence;
  ``ForAnyValue:``/``ForAllValues:`` for multivalued keys (``ForAllValues`` is true for a
  missing key, ``ForAnyValue`` false). Without a set prefix a multivalued context key
  matches when any of its values does (negated: when none does).

Supported operators: ``String(Not)Equals(IgnoreCase)``, ``String(Not)Like``,
``Arn(Not)Equals``, ``Arn(Not)Like`` (ARN operators compare segment-wise with wildcards),
``Bool``, ``Null``, ``Numeric(Not)Equals``, ``NumericLessThan(Equals)``,
``NumericGreaterThan(Equals)``. Anything else (``Date*``, ``IpAddress``, ``Binary*``) raises
:class:`PolicyError`: a policy the sandbox cannot evaluate fails loudly instead of being
guessed. Policy variables (``${aws:username}``) are not substituted (CDK templates carry
concrete ARNs).

Not modelled here (this module sees identity policies only): resource-based policies
(bucket, key, topic, queue, Lambda permission policies), permission boundaries, session
policies, service control and resource control policies, cross-account rules.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

ContextValue = str | Sequence[str]


class PolicyError(ValueError):
    """A policy (or a request) the evaluator cannot decide on."""


class Decision(enum.Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOW


@dataclass(frozen=True)
class AuthorizationRequest:
    """One action on one resource, with the request context's condition keys."""

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    request: AuthorizationRequest
    statement_id: str | None = None  # the Sid (or index) of the deciding statement

    @property
    def allowed(self) -> bool:
        return self.decision.allowed


# -- matching ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` exactly one."""
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    return glob_match(pattern, action, ignore_case=True)


def arn_matches(pattern: str, arn: str) -> bool:
    """Resource / ARN-operator match: segment-wise for the first five ARN segments."""
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    arn_parts = arn.split(":", 5)
    if len(pattern_parts) < 6 or len(arn_parts) < 6:
        return glob_match(pattern, arn)
    return all(glob_match(p, a) for p, a in zip(pattern_parts, arn_parts, strict=True))


# -- conditions --------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _policy_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _numeric(compare: Any) -> Any:
    def test(context_value: str, policy_value: str) -> bool:
        left, right = _number(context_value), _number(policy_value)
        return left is not None and right is not None and bool(compare(left, right))

    return test


# operator -> (per-value test(context value, policy value), negated)
_OPERATORS: dict[str, tuple[Any, bool]] = {
    "stringequals": (lambda c, p: c == p, False),
    "stringnotequals": (lambda c, p: c == p, True),
    "stringequalsignorecase": (lambda c, p: c.lower() == p.lower(), False),
    "stringnotequalsignorecase": (lambda c, p: c.lower() == p.lower(), True),
    "stringlike": (lambda c, p: glob_match(p, c), False),
    "stringnotlike": (lambda c, p: glob_match(p, c), True),
    "arnequals": (lambda c, p: arn_matches(p, c), False),
    "arnlike": (lambda c, p: arn_matches(p, c), False),
    "arnnotequals": (lambda c, p: arn_matches(p, c), True),
    "arnnotlike": (lambda c, p: arn_matches(p, c), True),
    "bool": (lambda c, p: c.lower() == p.lower(), False),
    "numericequals": (_numeric(lambda a, b: a == b), False),
    "numericnotequals": (_numeric(lambda a, b: a == b), True),
    "numericlessthan": (_numeric(lambda a, b: a < b), False),
    "numericlessthanequals": (_numeric(lambda a, b: a <= b), False),
    "numericgreaterthan": (_numeric(lambda a, b: a > b), False),
    "numericgreaterthanequals": (_numeric(lambda a, b: a >= b), False),
}


def _context_values(context: Mapping[str, ContextValue], key: str) -> list[str] | None:
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return [value] if isinstance(value, str) else [str(v) for v in value]
    return None


def condition_holds(operator: str, key: str, policy_values: Any, context: Mapping[str, ContextValue]) -> bool:
    """One ``operator: {key: values}`` entry of a Condition block."""
    name = operator
    set_operator = ""
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if name.lower().startswith(prefix.lower()):
            set_operator, name = prefix[:-1].lower(), name[len(prefix) :]
    if_exists = name.lower().endswith("ifexists")
    if if_exists:
        name = name[: -len("IfExists")]
    values = [_policy_text(v) for v in _as_list(policy_values)]
    present = _context_values(context, key)

    if name.lower() == "null":
        if set_operator or if_exists:
            raise PolicyError(f"unsupported condition operator {operator!r}")
        wanted_absent = {v.lower() for v in values}
        absent = present is None or present == []
        return ("true" in wanted_absent and absent) or ("false" in wanted_absent and not absent)

    entry = _OPERATORS.get(name.lower())
    if entry is None:
        raise PolicyError(f"unsupported condition operator {operator!r} (gtchain.sandbox.iam.evaluate)")
    test, negated = entry

    def value_ok(context_value: str) -> bool:
        matched = any(test(context_value, policy_value) for policy_value in values)
        return not matched if negated else matched

    if present is None or (set_operator and present == []):
        if if_exists:
            return True
        if set_operator == "forallvalues":
            return True
        if set_operator == "foranyvalue":
            return False
        return negated
    if set_operator == "forallvalues":
        return all(value_ok(v) for v in present)
    if set_operator == "foranyvalue":
        return any(value_ok(v) for v in present)
    if negated:
        return all(value_ok(v) for v in present)
    return any(value_ok(v) for v in present)


def conditions_hold(condition: Mapping[str, Any] | None, context: Mapping[str, ContextValue]) -> bool:
    if not condition:
        return True
    for operator, entries in condition.items():
        if not isinstance(entries, Mapping):
            raise PolicyError(f"condition {operator!r} must map keys to values")
        for key, policy_values in entries.items():
            if not condition_holds(operator, key, policy_values, context):
                return False
    return True


# -- statements and policies -------------------------------------------------------------


def _element_matches(statement: Mapping[str, Any], element: str, value: str, match: Any) -> bool | None:
    """True/False when ``element`` or ``Not<element>`` is present, None when neither is."""
    if element in statement:
        return any(match(str(p), value) for p in _as_list(statement[element]))
    negated = f"Not{element}"
    if negated in statement:
        return not any(match(str(p), value) for p in _as_list(statement[negated]))
    return None


def statement_applies(statement: Mapping[str, Any], request: AuthorizationRequest) -> bool:
    action = _element_matches(statement, "Action", request.action, action_matches)
    if action is None:
        raise PolicyError("a statement needs Action or NotAction")
    if not action:
        return False
    resource = _element_matches(statement, "Resource", request.resource, arn_matches)
    if resource is None:
        raise PolicyError("an identity-based statement needs Resource or NotResource")
    if not resource:
        return False
    return conditions_hold(statement.get("Condition"), request.context)


def _statements(policy: Mapping[str, Any] | str) -> list[Mapping[str, Any]]:
    try:
        document: Any = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError as error:
        raise PolicyError(f"a policy document is not JSON: {error}") from None
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def evaluate(policies: Iterable[Mapping[str, Any] | str], request: AuthorizationRequest) -> Evaluation:
    """The decision of IAM for ``request`` under these identity-based ``policies``."""
    allowed_by: str | None = None
    for policy_index, policy in enumerate(policies):
        for index, statement in enumerate(_statements(policy)):
            effect = str(statement.get("Effect", ""))
            if effect not in {"Allow", "Deny"}:
                raise PolicyError(f"statement Effect must be Allow or Deny, not {effect!r}")
            if not statement_applies(statement, request):
                continue
            sid = str(statement.get("Sid") or f"policy {policy_index} statement {index}")
            if effect == "Deny":
                return Evaluation(Decision.EXPLICIT_DENY, request, sid)
            allowed_by = allowed_by or sid
    if allowed_by is not None:
        return Evaluation(Decision.ALLOW, request, allowed_by)
    return Evaluation(Decision.IMPLICIT_DENY, request)


def evaluate_all(
    policies: Sequence[Mapping[str, Any] | str], requests: Iterable[AuthorizationRequest]
) -> Evaluation | None:
    """The first request that is denied (its evaluation), or None when all are allowed."""
    for request in requests:
        evaluation = evaluate(policies, request)
        if not evaluation.allowed:
            return evaluation
    return None


__all__ = [
    "AuthorizationRequest",
    "Decision",
    "Evaluation",
    "PolicyError",
    "action_matches",
    "arn_matches",
    "condition_holds",
    "conditions_hold",
    "evaluate",
    "evaluate_all",
    "glob_match",
    "statement_applies",
]
