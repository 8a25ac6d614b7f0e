"""The prompt name guard: registered names and aliases are found whatever the case, accents, spacing,
punctuation or look-alike characters, on whole-token boundaries only (rule in rights/names.py). The
table of attack strings and ordinary prompts is in test_name_guard_table.py."""

from __future__ import annotations

import pytest

from rights import names, policy, services
from tests.rights.conftest import active_grant

# ---------------------------------------------------------------- the normalisation itself (no database)

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ava Reyes", ["ava", "reyes"]),
        ("  AVA\tREYES  ", ["ava", "reyes"]),
        ("Ávà Réyès", ["ava", "reyes"]),
        ("Ava_Reyes", ["ava", "reyes"]),
        ("O'Brien", ["o", "brien"]),
        ("Zoë Saldaña", ["zoe", "saldana"]),
        ("Øyvind Łukasz", ["oyvind", "lukasz"]),
        ("ＡＶＡ　ＲＥＹＥＳ", ["ava", "reyes"]),  # full-width letters and space
        ("Аva Reyes", ["ava", "reyes"]),  # Cyrillic А
        ("Ava\u200bReyes", ["avareyes"]),  # zero-width space: dropped, not a separator
        ("𝐀𝐯𝐚 𝒜𝓋𝒶 𝔄𝔳𝔞 𝕬𝖛𝖆 Ⓐⓥⓐ ᴬᵛᵃ", ["ava"] * 6),  # bold, script, fraktur, bold fraktur, circled, superscript
        ("ᴀᴠᴀ ʀᴇʏᴇꜱ", ["ava", "reyes"]),  # small capitals
        ("ɗƙƈɲɦɓ", ["dkcnhb"]),  # Latin letters with hooks
        ("Ꭺօ ꓮ Νο", ["ao", "a", "no"]),  # Cherokee, Armenian, Lisu, Greek look-alikes
        ("Ava\u3164Reyes\u115f \u1160x", ["avareyes", "x"]),  # Hangul fillers
        ("Ava\u02bcReyes", ["ava", "reyes"]),  # the modifier apostrophe reads as an apostrophe
        ("A\u0301va\u00ad Re\u034fyes\ufe0f", ["ava", "reyes"]),  # combining mark, soft hyphen, CGJ, variation selector
        ("Straße İzmir", ["strasse", "izmir"]),  # case folding after compatibility normalisation
    ],
)
def test_tokens(text, expected):
    assert names.tokens(text) == expected


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("L3o P4rk", "Leo Park"), ("Av@ Rey3$", "Ava Reyes"), ("W1ll Stone", "Will Stone"), ("AIice Moreau", "Alice Moreau"),
        ("Wi11iarn Marsh", "William Marsh"), ("vvilla", "willa"),
    ],
)
def test_digits_symbols_and_letter_pairs_read_as_the_letters_they_imitate(written, plain):
    assert names.matched_names(name=plain, aliases=[], keys=names.prompt_keys(f"{written} at the window")) == [plain]


def test_digits_of_a_registered_name_are_its_own():
    """A prompt's digits may stand for letters; a name's digits must be written as they are."""
    found = names.prompt_keys("Extra Person 9 at the window")
    assert names.matched_names(name="Extra Person 9", aliases=[], keys=found) == ["Extra Person 9"]
    assert names.matched_names(name="Extra Person 6", aliases=[], keys=found) == []
    assert names.matched_names(name="Extra Person G", aliases=[], keys=found) == ["Extra Person G"]


def test_keys_of_a_name():
    keys = names.name_keys("Ava Reyes")
    # Both orders, the initials, and fragment keys for the 5-letter surname (one edit leaves "rey" or "es").
    assert {"avareyes", "reyesava", "^a|reyes", "reyes|^a", "^r|ava", "ava|^r"} <= keys
    assert {"~ava|<rey", "~ava|>es", "~<rey|ava", "~>es|ava"} <= keys
    assert not any(k.startswith(("~<ava", "~>va")) for k in keys)  # "ava" is too short to be misspelt
    assert names.name_keys("Solenne") == {"solenne"}  # a mononym: exact only
    assert "jlhopark" in names.name_keys("Park Ji-ho")  # the other order; i and l read as one letter


def test_prompt_keys_are_whole_token_runs():
    keys = names.prompt_keys("the lava flows")
    assert "ava" not in keys and "lava" in keys and "lavaflows" in keys


def test_stored_keys_are_rebuilt_by_the_data_migration(world):
    """A key scheme change rebuilds existing talent's keys (rights/migrations/0003)."""
    import importlib

    from django.apps import apps

    from rights.models import TalentNameKey

    TalentNameKey.objects.filter(talent=world.ava).delete()
    TalentNameKey.objects.create(talent=world.ava, key="avareyes")  # the earlier scheme's keys
    TalentNameKey.objects.create(talent=world.ava, key="reyesava")
    migration = importlib.import_module("rights.migrations.0003_rebuild_name_keys")
    migration.rebuild_keys(apps, None)
    for talent in (world.ava, world.leo, world.nova):
        stored = set(TalentNameKey.objects.filter(talent=talent).values_list("key", flat=True))
        assert stored == set(names.talent_keys(talent.name, talent.aliases))
    assert _check(world, "A. Reyes at the window").reasons[0].talent == "Ava Reyes"


@pytest.mark.parametrize("value", ["Al", "J.", "  ", "!!", "x" * 90, "One Two Three Four Five Six Seven"])
def test_unusable_names_are_explained(value):
    assert names.name_problem(value)


# ---------------------------------------------------------------- through the policy

def _check(world, prompt, negative=""):
    return policy.check_generation(studio=world.northlight, project=world.mr, cast=[], prompt=prompt, negative_prompt=negative)


@pytest.mark.parametrize(
    "prompt",
    [
        "Leo Park walks on the pier",
        "LEO PARK walks on the pier",
        "leo park walks on the pier",
        "Leo      Park walks on the pier",
        "Léo Pärk walks on the pier",
        "Leo-Park walks on the pier",
        "L.e.o. P.a.r.k. walks on the pier",
        "LeoPark walks on the pier",
        "a close-up of Park, Leo, smiling",
        "a close-up of Leo Park's face",
        "in the style of (leo park)",
        "Lеo Park walks",  # Cyrillic е
        "Leo\u200bPark walks",  # zero-width space
        "Park Ji-ho at the harbour",  # alias
        "park jiho at the harbour",  # alias without hyphen
        "PARKJIHO at the harbour",
    ],
)
def test_names_and_aliases_are_found_whatever_the_spelling(world, prompt):
    decision = _check(world, prompt)
    assert decision.outcome == policy.DENY, prompt
    [reason] = decision.reasons
    assert reason.talent == "Leo Park" and reason.via == "prompt"
    assert reason.code == policy.NO_GRANT_FOR_STUDIO
    assert reason.matched
    assert "The prompt names Leo Park" in reason.message


def test_the_negative_prompt_is_checked_too(world):
    decision = _check(world, "A lighthouse at night", negative="looks like Ava Reyes-Whitlock, blurry")
    assert decision.outcome == policy.DENY
    assert decision.reasons[0].talent == "Ava Reyes"
    # The full name is part of the alias, so both are reported as found.
    assert set(decision.reasons[0].matched) == {"Ava Reyes", "Ava Reyes-Whitlock"}


@pytest.mark.parametrize(
    "prompt",
    [
        "lava flows down the volcano at night",  # "ava" inside a longer word
        "an avalanche of snow",  # "ava" prefix
        "Ava walks along the pier",  # a first name alone is an ordinary word
        "a leopard sleeps in the park",  # "leo" inside "leopard", "park" alone
        "Leo the lion naps in the city park",  # both parts present but not together
        "the Park Avenue apartment, leo constellation overhead",
        "Reyesville town square at noon",  # surname inside a longer word
        "the novas over sterling silver trays",  # near miss of Nova Sterling
        "Leo parked the car",
        "An ordinary street scene with pedestrians",
    ],
)
def test_no_false_alarm_on_ordinary_words(world, prompt):
    decision = _check(world, prompt)
    assert decision.outcome == policy.ALLOW, decision.as_dict()
    assert decision.reasons == ()


def test_a_mononym_matches_as_a_whole_word_only(world):
    services.create_talent(actor=world.agent, agency=world.crescent, name="Solenne")
    assert _check(world, "Solenne dances in the rain").outcome == policy.DENY
    assert _check(world, "SOLENNE, dancing").outcome == policy.DENY
    assert _check(world, "a solennely lit hall").outcome == policy.ALLOW


def test_a_name_or_likeness_grant_allows_naming(world):
    active_grant(world, talent=world.leo, use_types=["name_or_likeness_in_prompt"])
    decision = _check(world, "in the manner of Leo Park")
    assert decision.outcome == policy.ALLOW
    assert decision.covered[0].via == "prompt"
    assert decision.covered[0].use_type == "name_or_likeness_in_prompt"


def test_a_replica_grant_also_allows_naming(world):
    active_grant(world, talent=world.leo, use_types=["digital_replica"])
    assert _check(world, "Leo Park looks back").outcome == policy.ALLOW


def test_an_alteration_only_grant_does_not_allow_naming(world):
    active_grant(world, talent=world.leo, use_types=["digital_alteration"])
    decision = _check(world, "Leo Park looks back")
    assert [r.code for r in decision.reasons] == [policy.USE_TYPE_NOT_GRANTED]
    assert decision.reasons[0].via == "prompt"


def test_naming_a_talent_of_another_studios_grant_is_refused(world):
    active_grant(world, talent=world.leo, studio=world.harbor, project="HL", use_types=["name_or_likeness_in_prompt"])
    assert _check(world, "Leo Park looks back").outcome == policy.DENY


def test_a_cast_talent_named_in_the_prompt_is_checked_once_as_cast(world):
    active_grant(world, requires_per_use_approval=True)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes turns to camera")
    assert decision.outcome == policy.NEEDS_AGENCY_REVIEW
    assert [c.via for c in decision.covered] == ["cast"]


def test_renaming_and_new_aliases_take_effect_at_once(world):
    assert _check(world, "The Midnight Kid walks in").outcome == policy.ALLOW
    services.update_talent(actor=world.agent, talent=world.leo, aliases=["Park Ji-ho", "The Midnight Kid"])
    assert _check(world, "the midnight-kid walks in").outcome == policy.DENY


def test_a_long_name_spelled_letter_by_letter_is_found(world):
    services.create_talent(actor=world.agent, agency=world.crescent, name="Maximiliana Oyelaran")
    assert _check(world, "M a x i m i l i a n a  O y e l a r a n at the window").outcome == policy.DENY
