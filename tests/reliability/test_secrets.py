"""Secrets: a canary API key never appears in anything a run or a report writes.

The killed-and-resumed `archbench run` of conftest.py uses the canary as OPENAI_API_KEY,
with every folder it can write to (logs, report, HOME, XDG data and cache, TMPDIR) under
one root; every file there is scanned, inside zip members (.eval logs), gzip files (inspect
traces) and Parquet tables too, and so is everything the processes printed.
"""

from __future__ import annotations

import gzip
import io
import traceback
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from archbench.app.cli import main
from tests.reliability.conftest import CANARY_KEY
from tests.reliability.support import FIXTURES


def readable_contents(path: Path) -> Iterator[bytes]:
    """The raw bytes of a file, and what is inside it when it is a container."""
    data = path.read_bytes()
    yield data
    yield from _inside(data, path.name)


def _inside(data: bytes, name: str) -> Iterator[bytes]:
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                inner = archive.read(member)
                yield inner
                yield from _inside(inner, member)
    elif data.startswith(b"\x1f\x8b"):
        inner = gzip.decompress(data)
        yield inner
        yield from _inside(inner, name)
    elif name.endswith(".parquet"):
        yield str(pq.read_table(io.BytesIO(data)).to_pylist()).encode()


def files_holding(root: Path, secret: str) -> tuple[list[str], int]:
    """Files under `root` in which `secret` appears anywhere, and how many files were scanned."""
    needle = secret.encode()
    hits, scanned = [], 0
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            scanned += 1
            if any(needle in content for content in readable_contents(path)):
                hits.append(str(path.relative_to(root)))
    return hits, scanned


def test_the_scanner_finds_a_key_in_each_kind_of_file(tmp_path):
    (tmp_path / "plain.md").write_text(f"key {CANARY_KEY}")
    with zipfile.ZipFile(tmp_path / "log.eval", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("samples/1_epoch_1.json", f'{{"error": "{CANARY_KEY}"}}' + " padding" * 100)
    (tmp_path / "trace.log.gz").write_bytes(gzip.compress(f"Authorization: Bearer {CANARY_KEY}".encode()))
    pq.write_table(pa.table({"error": [f"failed with {CANARY_KEY}"] * 50}), tmp_path / "samples.parquet", compression="zstd")
    (tmp_path / "clean.txt").write_text("nothing here")
    hits, scanned = files_holding(tmp_path, CANARY_KEY)
    assert sorted(hits) == ["log.eval", "plain.md", "samples.parquet", "trace.log.gz"] and scanned == 5


def test_no_file_of_a_killed_resumed_and_reported_run_holds_the_key(crash_and_resume):
    run = crash_and_resume.interrupted
    assert crash_and_resume.keys_sent == {CANARY_KEY}  # the canary really was the key in use
    hits, scanned = files_holding(run.root, CANARY_KEY)
    assert hits == []
    written = {path.suffix for path in run.root.rglob("*") if path.is_file()}
    assert {".eval", ".html", ".md", ".json", ".parquet", ".db"} <= written and scanned > 20
    assert not [output for output in run.outputs if CANARY_KEY in output]


def test_a_key_given_on_the_command_line_stays_out_of_error_messages(tmp_path, capsys):
    """A bad model argument next to the key: the error names the argument, never the key
    (whether the CLI reports it or, as now, a traceback does: see test_bad_input.py)."""
    try:
        main([
            "run", "--scenarios", str(FIXTURES / "scenarios"),
            "--model", "openai/gpt-4o-mini", "--model-base-url", "http://127.0.0.1:9/v1",
            "-M", f"api_key={CANARY_KEY}", "-M", "bogus_argument=1", "-M", "responses_api=false",
            "--log-dir", str(tmp_path / "logs"), "--display", "none",
        ])
        crash = ""
    except Exception:  # noqa: BLE001 - what a user would see is the traceback
        crash = traceback.format_exc()
    captured = capsys.readouterr()
    shown = captured.out + captured.err + crash
    assert "bogus_argument" in shown
    assert CANARY_KEY not in shown
    hits, _ = files_holding(tmp_path, CANARY_KEY)
    assert hits == []
