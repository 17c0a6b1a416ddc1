"""Tables the CLI prints: piped or redirected, no cell is cut short."""

from rich.table import Table

from formcheck.cli.tables import print_table


def test_a_piped_table_keeps_every_name_whole(capsys):
    table = Table(title="per clip")
    for col in ("clip", "exercise", "true", "pred", "err", "hold", "faults", "auto", "s"):
        table.add_column(col)
    name = "seated-forward-bend_oblique_a.mp4"
    table.add_row(name, "seated-forward-bend", "1", "1", "0", "9.5/9.9", "0/0/0", "unsure", "40.1")
    print_table(table)  # pytest's stdout is not a terminal
    out = capsys.readouterr().out
    assert name in out and "seated-forward-bend " in out
    assert "…" not in out
