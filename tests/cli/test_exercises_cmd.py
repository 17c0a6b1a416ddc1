"""`formcheck exercises show`: what a definition says, including its gate and its outline."""

from typer.testing import CliRunner

from formcheck.cli.app import app

runner = CliRunner()


def test_show_states_the_counting_gate_and_the_prose_is_rewrapped(wide_console):
    result = runner.invoke(app, ["exercises", "show", "pull-up"])
    assert result.exit_code == 0, result.output
    assert "counted only while hand_over_elbow_min > 0.1" in result.output
    # the description's line breaks in the TOML do not cut sentences on screen
    assert "hands about shoulder-width apart or a little wider" in result.output
    assert "segmentation mask" not in result.output


def test_show_says_when_the_outline_is_used(wide_console):
    result = runner.invoke(app, ["exercises", "show", "bird-dog"])
    assert result.exit_code == 0, result.output
    assert "the pose model runs with its segmentation mask" in result.output
    assert "rounded_back" in result.output and "counted only while" not in result.output
