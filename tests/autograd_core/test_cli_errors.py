"""Every mistake on the command lines ends in one line on stderr naming the option, and exit status 2."""
import argparse
import shutil

import pytest

from autograd_core.__main__ import main as autograd_core_main
from autograd_core.__main__ import make_parser as autograd_core_parser
from autograd_core.nn.__main__ import main as nn_main
from autograd_core.nn.__main__ import make_parser as nn_parser


def run(main, argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    captured = capsys.readouterr()
    return status, captured.err


CASES = [
    (["paths", "--depth", "0"], "--depth"),
    (["paths", "--width", "two"], "--width"),
    (["paths", "--w", "inf"], "--w"),
    (["paths", "--depth", "30"], "--depth"),
    (["paths", "--depth", "25", "--w", "1.0"], "--max-paths"),
    (["paths", "--graph", "fig3.1", "--depths", "2", "3"], "--depths"),
    (["paths", "--max-paths", "-1"], "--max-paths"),
    (["demo", "--depths", "30"], "--depths"),
    (["draw", "-o", "noext"], "extension"),
    (["draw"], "--output"),
    (["paint"], "paint"),
]


@pytest.mark.parametrize("argv, named", CASES, ids=[" ".join(argv) for argv, _ in CASES])
def test_autograd_core_errors_are_one_line_with_status_2(argv, named, capsys):
    status, err = run(autograd_core_main, argv, capsys)
    assert status == 2
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and named in error_lines[0], err
    assert "Traceback" not in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot to reach its refusal of the format")
def test_a_format_dot_cannot_write_is_named(tmp_path, capsys):
    status, err = run(autograd_core_main, ["draw", "-o", str(tmp_path / "x.bmp")], capsys)
    assert status == 2 and "bmp" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


NN_CASES = [
    (["demo", "--epochs", "0"], "--epochs"),
    (["demo", "--batch-size", "5000"], "--batch-size"),
    (["demo", "--batch-size", "2.5"], "--batch-size"),
    (["demo", "--lr", "nan"], "--lr"),
    (["demo", "--lr", "-0.1"], "--lr"),
    (["demo", "--momentum", "1"], "--momentum"),
    (["demo", "--hidden", "0"], "--hidden"),
]


@pytest.mark.parametrize("argv, named", NN_CASES, ids=[" ".join(argv) for argv, _ in NN_CASES])
def test_nn_demo_errors_are_one_line_with_status_2(argv, named, capsys):
    pytest.importorskip("sklearn", reason="the digits come with scikit-learn")
    status, err = run(nn_main, argv, capsys)
    assert status == 2
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and named in error_lines[0], err


def test_nn_demo_is_reached_from_the_main_command_line(capsys):
    status, err = run(autograd_core_main, ["nn-demo", "--epochs", "0"], capsys)
    assert status == 2 and "--epochs" in err


def options_of(parser):
    """(command, option) for every option of the parser and its subcommands, with its help text."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, subparser in action.choices.items():
                for option, help_text in options_of(subparser):
                    yield f"{command} {option}", help_text
        elif action.option_strings and action.dest != "help":
            yield action.option_strings[-1], action.help


@pytest.mark.parametrize("make_parser", [autograd_core_parser, nn_parser], ids=["autograd-core", "nn"])
def test_every_option_has_help_text(make_parser):
    options = list(options_of(make_parser()))
    assert len(options) > 5
    assert [option for option, help_text in options if not help_text] == []
