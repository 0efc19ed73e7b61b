"""One upload size limit: the server's cap, the file widgets' and the reader's say the same."""

import tomllib
from pathlib import Path

from lib.bulk.limits import MAX_UPLOAD_MB, ReadLimits

ROOT = Path(__file__).resolve().parents[1]


def test_the_server_the_widgets_and_the_reader_share_one_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert ReadLimits().max_bytes == MAX_UPLOAD_MB * 1024 * 1024
