"""Crash safety: `rag build` killed (SIGKILL) at many points of a rebuild over a good index.

After every kill the index must open whole, as the old corpus or as the new one, never a
mix and never a corrupt file: each file's size and SHA-256 are in the manifest, the manifest
is written last, and one rename of the `index` link switches generations (rag/store.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.indexing.store import read_index
from tests.conftest import SEEDS

KILLS = 50


@pytest.mark.slow
def test_a_killed_rebuild_leaves_the_old_or_the_new_index(
    seed_index_dir: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    # one short article more: the new index differs, and embeds only two texts
    (corpus / "999_new.txt").write_text(
        "江门新院区签约\n\n2026年11月，江门市某新院区与澳门镜湖医院签约合作。\n", encoding="utf-8"
    )
    seed_generation = seed_index_dir.resolve()
    index = tmp_path / "index"
    rag = Path(sys.executable).with_name("rag")
    cmd = [str(rag), "build", str(corpus), "--index", str(index)]

    def restore_old_index() -> None:
        for old in tmp_path.glob(".index.*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        index.unlink(missing_ok=True)
        shutil.copytree(seed_generation, tmp_path / ".index.gen-old")
        index.symlink_to(".index.gen-old")

    restore_old_index()
    started = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True)
    full = time.monotonic() - started
    assert read_index(index).manifest["counts"]["documents"] == 6

    outcomes: list[int] = []
    for i in range(KILLS):
        restore_old_index()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (i + 0.5) / KILLS)  # spread over the whole build, start to end
        proc.kill()
        proc.wait()
        stored = read_index(index)  # verifies every file against the manifest
        outcomes.append(stored.manifest["counts"]["documents"])
        assert len(stored.chunks) == stored.dense.size == stored.lexical.size
    assert set(outcomes) <= {5, 6}
    assert outcomes.count(5) >= KILLS // 2  # most kills land before the switch: old index
    # and the next build after a kill completes over whatever the kill left behind
    subprocess.run(cmd, check=True, capture_output=True)
    assert read_index(index).manifest["counts"]["documents"] == 6
    assert [p.name for p in tmp_path.glob(".index.*")] == [index.resolve().name]
