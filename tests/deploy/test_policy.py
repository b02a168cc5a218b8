"""policy.toml: what is written reads back the same; every malformed file is one ConfigError line."""

import tomllib

import pytest

from pitfall.deploy.policy import Policy, SafetyRule, dumps_policy, read_policy, write_policy
from pitfall.errors import ConfigError


def test_round_trip_with_per_label_thresholds_and_safety_rules(tmp_path):
    policy = Policy(
        accept=0.93,
        review=0.6,
        target_accuracy=0.98,
        per_label={"fireworks": {"accept": 0.97, "review": 0.7}, 'odd "name" ü.x': {"accept": 0.9, "review": 0.5}},
        safety=[
            SafetyRule("fireworks", "review", {"collection": "wartime", "year": 1944, "public": True}),
            SafetyRule("weapons\\guns\n", "never"),
        ],
    )
    path = tmp_path / "policy.toml"
    write_policy(policy, path, header="written by a test\nsecond line")
    assert read_policy(path) == policy
    text = path.read_text()
    assert text.startswith("# written by a test\n# second line\n[thresholds]\naccept = 0.93\n")
    assert tomllib.loads(text)["safety"][0]["when"] == {"collection": "wartime", "year": 1944, "public": True}


@pytest.mark.parametrize(
    "text, message",
    [
        ("accept = 0.9", "unknown section"),
        ("[thresholds]\naccept = 0.9", "missing 'review'"),
        ("[thresholds]\naccept = 1.5\nreview = 0.5", "accept: must be a number from 0 to 1"),
        ('[thresholds]\naccept = "high"\nreview = 0.5', "accept: must be a number"),
        ("[thresholds]\naccept = 0.5\nreview = 0.9", "must not exceed accept"),
        ("[thresholds]\naccept = 0.9\nreview = 0.5\nspeed = 1", "unknown key 'speed'"),
        ("[thresholds]\naccept = 0.9\nreview = 0.5\n[thresholds.per_label.a]\naccept = 0.9", "exactly the keys"),
        ('[thresholds]\naccept = 0.9\nreview = 0.5\n[[safety]]\nlabel = "a"\naction = "delete"', "action must be"),
        ('[thresholds]\naccept = 0.9\nreview = 0.5\n[[safety]]\naction = "never"', "label must be"),
        ('[thresholds]\naccept = 0.9\nreview = 0.5\n[[safety]]\nlabel = "a"\naction = "never"\nwhen = 3', "when must"),
        ("[thresholds\naccept = 0.9", "not valid TOML"),
        ("[other]\nx = 1", "unknown section 'other'"),
    ],
)
def test_bad_policy_files_fail_with_one_line(tmp_path, text, message):
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_policy(path)
    assert message in str(info.value) and "\n" not in str(info.value) and str(path) in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ConfigError, match="no such policy file"):
        read_policy(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        read_policy(tmp_path)


def test_writer_refuses_non_finite_numbers():
    with pytest.raises(ConfigError):
        Policy(accept=float("nan"), review=0.1)
    with pytest.raises(ConfigError, match="non-finite"):
        dumps_policy(Policy(0.9, 0.5, safety=[SafetyRule("a", "review", {"x": float("inf")})]))
