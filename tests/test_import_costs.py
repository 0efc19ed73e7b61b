"""What a page or a child process pays to import: a CSV export does not load the spreadsheet writer,
and the file reader's child (started for every upload) does not load the API's models."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_csv_exports_do_not_load_the_spreadsheet_writer():
    assert "openpyxl" not in _modules_after("import lib.bulk.export")
    assert "openpyxl" in _modules_after(
        "import pandas as pd\nfrom lib.bulk.export import xlsx_bytes\nxlsx_bytes(pd.DataFrame({'a': [1]}))"
    )


def test_the_file_readers_child_does_not_load_the_api_models():
    loaded = _modules_after("import lib.bulk.reader")
    assert not {name for name in loaded if name == "lib.api" or name.startswith("lib.api.")}
    assert "lib.bulk.model" not in loaded
