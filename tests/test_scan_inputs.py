"""One table of scan inputs: ``pitfall.scan()``, ``pitfall scan`` and the pytest fixture agree on it."""

import inspect

import pitfall
from pitfall.cli.scan import scan_cmd
from pitfall.runners.scan_inputs import GROUPS, SCAN_INPUTS, scan_kwargs

pytest_plugins = ["pytester"]


def test_every_input_is_a_keyword_of_scan_and_documented():
    params = inspect.signature(pitfall.scan).parameters
    doc = inspect.getdoc(pitfall.scan)
    for item in SCAN_INPUTS:
        assert item.name in params, item.name
        assert params[item.name].kind is inspect.Parameter.KEYWORD_ONLY
        assert f"\n    {item.name}: " in doc.replace("\n        ", "\n    "), f"scan() does not document {item.name}"
        assert item.group in GROUPS


def test_the_cli_has_one_option_per_input_with_its_help():
    options = {p.name: p for p in scan_cmd.params}
    for item in SCAN_INPUTS:
        opt = options[item.name]
        assert item.flag in opt.opts and opt.help == item.help and opt.multiple == item.many


def test_cli_values_become_scan_keywords():
    values = {"target": "y", "study": ("colour",), "text": (), "seed": 3}
    kwargs = scan_kwargs(values)
    assert set(kwargs) == {i.name for i in SCAN_INPUTS}
    assert kwargs["target"] == "y" and kwargs["study"] == ["colour"] and kwargs["text"] is None
    assert kwargs["seed"] == 3 and kwargs["group"] is None


def test_the_pytest_fixture_is_scan_itself(pytester):
    pytester.makepyfile(
        """
        import inspect

        import pitfall

        def test_fixture(pitfall_scan):
            assert inspect.signature(pitfall_scan) == inspect.signature(pitfall.scan)
            assert pitfall_scan.__doc__ == pitfall.scan.__doc__
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
