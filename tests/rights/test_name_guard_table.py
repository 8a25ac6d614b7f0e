"""The name guard measured on tables of attack strings and ordinary prompts (tests/rights/name_guard_cases.py),
through the real policy check: talent registered by rights.services, their keys looked up through the
TalentNameKey index. Every attack must be refused naming the right performer (catch rate 100%); no
ordinary prompt may raise an alarm (false-alarm rate 0). The rates are printed (`-s`) and recorded in
docs/RIGHTS.md."""

from __future__ import annotations

from collections import Counter

import pytest

from rights import policy, services
from tests.rights.name_guard_cases import ATTACKS, INNOCENT, TALENT


@pytest.fixture
def registry(world):
    """The table's talent: the world's Ava Reyes, Leo Park and Nova Sterling, and the rest of TALENT."""
    existing = {"Ava Reyes": world.ava, "Leo Park": world.leo, "Nova Sterling": world.nova}
    talent = {}
    for name, aliases in TALENT:
        if name in existing:
            agent = world.meridian_agent if name == "Nova Sterling" else world.agent
            talent[name] = services.update_talent(actor=agent, talent=existing[name], aliases=aliases)
        else:
            talent[name] = services.create_talent(actor=world.agent, agency=world.crescent, name=name, aliases=aliases)
    return talent


def _named(world, prompt: str) -> tuple[policy.PolicyDecision, set[str]]:
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[], prompt=prompt)
    return decision, {r.talent for r in decision.reasons if r.via == "prompt"}


def test_every_attack_string_is_caught_naming_the_right_performer(world, registry):
    assert len(ATTACKS) >= 100 and len({kind for _p, _t, kind in ATTACKS}) == 10
    caught, by_class, failures = 0, Counter(), []
    for prompt, talent, kind in ATTACKS:
        decision, named = _named(world, prompt)
        by_class[kind] += 1
        if decision.outcome == policy.DENY and named == {talent} and all(
            r.code == policy.NO_GRANT_FOR_STUDIO and f"The prompt names {talent}" in r.message for r in decision.reasons
        ):
            caught += 1
        else:
            failures.append((prompt, talent, kind, sorted(named)))
    print(f"\nname guard: {caught}/{len(ATTACKS)} attack strings caught ({caught / len(ATTACKS):.1%}); per class: {dict(by_class)}")
    assert failures == []
    assert caught == len(ATTACKS)


def test_no_ordinary_prompt_raises_an_alarm(world, registry):
    assert len(INNOCENT) >= 100
    alarms = []
    for prompt in INNOCENT:
        decision, named = _named(world, prompt)
        if decision.outcome != policy.ALLOW or decision.reasons:
            alarms.append((prompt, sorted(named)))
    print(f"\nname guard: {len(alarms)}/{len(INNOCENT)} ordinary prompts raised an alarm ({len(alarms) / len(INNOCENT):.1%})")
    assert alarms == []


def test_a_consented_performer_in_disguise_is_covered_by_the_grant_as_named_in_the_prompt(world, registry):
    """The same table, with a grant for each attacked performer: every disguise is allowed and recorded
    as a prompt mention covered by that grant (the likeness use the agency reviews)."""
    from tests.rights.conftest import active_grant

    for talent in {t for _p, t, _k in ATTACKS}:
        active_grant(world, talent=registry[talent], use_types=["name_or_likeness_in_prompt"], requires_per_use_approval=True)
    wrong = []
    for prompt, talent, _kind in ATTACKS:
        decision, _named_ = _named(world, prompt)
        covered = [(c.talent.name, c.via, c.use_type) for c in decision.covered]
        if decision.outcome != policy.NEEDS_AGENCY_REVIEW or covered != [(talent, "prompt", "name_or_likeness_in_prompt")]:
            wrong.append((prompt, decision.outcome, covered))
    assert wrong == []
