"""The index on disk: round trip, embedding cache, and a clear error for every bad state."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from rag import (
    RAG,
    CorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    Settings,
)
from tests.conftest import SEEDS


def test_round_trip_gives_identical_results(seed_rag: RAG, index_copy: Path) -> None:
    reopened = RAG.open(index_copy)
    for query in ["蓬江区有多少支家庭医生团队？", "eye care at a primary school", "登革热"]:
        assert reopened.search(query, k=5) == seed_rag.search(query, k=5)
    assert reopened.chunks == seed_rag.chunks
    assert reopened.documents == seed_rag.documents


def test_manifest_describes_the_build(seed_rag: RAG) -> None:
    manifest = seed_rag.manifest
    assert manifest["format_version"] == 6
    assert manifest["embedder"] == {"name": "e5-small-q4", "dim": 384}
    assert manifest["counts"]["documents"] == 5 and manifest["counts"]["chunks"] > 100
    assert manifest["chunker"]["target_chars"] > 0
    assert len(manifest["corpus"]["hash"]) == 64
    assert {"faiss-cpu", "bm25s", "jieba", "python"} <= set(manifest["versions"])
    assert manifest["counts"]["sentences"] > manifest["counts"]["chunks"]
    assert "vectors.faiss" in manifest["files"]


def test_rebuild_of_an_unchanged_corpus_embeds_nothing(index_copy: Path) -> None:
    link = index_copy.parent / "index"
    os.symlink(index_copy.name, link)
    rebuilt = RAG.build(SEEDS, link)
    assert rebuilt.build_report is not None
    assert rebuilt.build_report.embedded == 0
    distinct = set(rebuilt.index.embed_keys) | set(rebuilt.index.sentences.keys)
    assert rebuilt.build_report.reused == len(distinct)
    assert link.is_symlink() and link.resolve() != index_copy.resolve()
    # the marked spans are reused from the old index too, and equal what tagging gives
    original = RAG.open(index_copy).index.sentences.features
    assert np.array_equal(rebuilt.index.sentences.features.marks, original.marks)
    assert np.array_equal(rebuilt.index.sentences.features.token_ids, original.token_ids)
    # a second rebuild replaces the first generation, and leaves what it did not write
    again = RAG.build(SEEDS, link)
    generations = list(link.parent.glob(".index.gen-*"))
    assert generations == [link.resolve()]
    assert again.search("登革热", k=3) == rebuilt.search("登革热", k=3)
    assert index_copy.exists()


def test_build_report_times_every_stage(index_copy: Path) -> None:
    rebuilt = RAG.build(SEEDS, index_copy.parent / "again")
    report = rebuilt.build_report
    assert report is not None
    assert list(report.stages) == [
        "load_clean", "chunk", "read_cache", "embed", "bm25", "sentence_features",
        "english_terms", "faiss", "save"
    ]  # fmt: skip
    assert all(v >= 0 for v in report.stages.values())
    assert sum(report.stages.values()) == pytest.approx(report.seconds, abs=0.01)


def test_sentence_features_are_the_tokens_and_marks_of_each_sentence(seed_rag: RAG) -> None:
    from rag.indexing.lexical import tokenize
    from rag.indexing.marks import MARKED, marks

    table = seed_rag.index.sentences
    assert len(table.features) == len(table.refs) == len(table.vectors)
    for row in range(0, len(table.refs), 37):
        ref = table.refs[row]
        text = seed_rag.documents[ref.doc].text[ref.start : ref.end]
        ids = seed_rag.index.lexical.token_ids(tokenize(text))
        assert table.features.tokens_of(row).tolist() == ids
        assert [tuple(m) for m in table.features.marks_of(row).tolist()] == marks(text)
    row = next(
        i for i, r in enumerate(table.refs)
        if "2023年" in seed_rag.documents[r.doc].text[r.start : r.end]
    )  # fmt: skip
    kinds = {MARKED[code] for code, _, _ in table.features.marks_of(row).tolist()}
    assert {"number", "date"} <= kinds


def test_rebuild_over_an_older_format_reuses_its_vectors(index_copy: Path) -> None:
    """A format change must not re-embed a corpus: format 2 had no sentence features, and
    neither had an English lookup."""
    manifest_path = index_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["format_version"] = 2
    for name in ("sentence_features.npz", "english_terms.json"):
        del manifest["files"][name]
        (index_copy / name).unlink()
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexMismatchError, match="format 2"):
        RAG.open(index_copy)
    rebuilt = RAG.build(SEEDS, index_copy)
    assert rebuilt.build_report is not None and rebuilt.build_report.embedded == 0
    assert RAG.open(index_copy).manifest["format_version"] == 6


def test_marks_of_older_rules_are_made_again_not_reused(index_copy: Path) -> None:
    """Marks are stored and reused by sentence; an index marked by other rules (`MARKS`)
    gives its vectors but not its marks, which are made again, as today's rules make them."""
    from rag.indexing.marks import MARKS, marks
    from rag.indexing.reuse import read_reusable

    manifest_path = index_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    name = manifest["embedder"]["name"]
    assert manifest["marks"] == MARKS and read_reusable(index_copy, name).features is not None
    manifest["marks"] = "1"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    older = read_reusable(index_copy, name)
    assert older.features is None and len(older.vectors) > 0
    rebuilt = RAG.build(SEEDS, index_copy)
    assert rebuilt.build_report is not None and rebuilt.build_report.embedded == 0
    assert rebuilt.manifest["marks"] == MARKS
    table = rebuilt.index.sentences
    ref = table.refs[0]
    text = rebuilt.documents[ref.doc].text[ref.start : ref.end]
    assert [tuple(m) for m in table.features.marks_of(0).tolist()] == marks(text)


def test_a_format_4_index_with_every_raw_offset_still_opens(
    seed_rag: RAG, index_copy: Path
) -> None:
    """Format 4 kept the raw offset of every character, each chunk's text, sentences as JSON
    rows, their vectors as floats (float32 or, in format 5, float16) and raw text always."""
    manifest_path = index_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    lines = (index_copy / "documents.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    offsets, start = [], 0
    for row in rows:
        row["raw_pos_start"] = start
        row["raw"] = seed_rag.documents[row["id"]].raw
        del row["raw_runs"]
        offsets += seed_rag.documents[row["id"]].raw_pos.tolist()
        start = len(offsets)
    with (index_copy / "documents.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    np.save(index_copy / "raw_offsets.npy", np.asarray(offsets, dtype=np.int64))
    chunk_rows = [
        {**json.loads(line), "text": chunk.text}
        for line, chunk in zip(
            (index_copy / "chunks.jsonl").read_text("utf-8").splitlines(),
            seed_rag.chunks,
            strict=True,
        )
    ]
    with (index_copy / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in chunk_rows)
    np.save(index_copy / "sentence_vectors.npy", seed_rag.index.sentences.vectors[:])
    sentences = seed_rag.index.sentences
    with (index_copy / "sentences.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(
            json.dumps({**asdict(ref), "embed_key": key}, ensure_ascii=False) + "\n"
            for ref, key in zip(sentences.refs, sentences.keys, strict=True)
        )
    for name in ("raw_runs.npy", "sentence_ranges.npy", "sentences.npz"):
        (index_copy / name).unlink()
        del manifest["files"][name]
    names = ["documents.jsonl", "chunks.jsonl", "raw_offsets.npy", "sentence_vectors.npy"]
    for name in [*names, "sentences.jsonl"]:
        data = (index_copy / name).read_bytes()
        manifest["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest["format_version"] = 4
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    old = RAG.open(index_copy)
    assert old.documents == seed_rag.documents and old.chunks == seed_rag.chunks
    assert old.index.sentences.refs == sentences.refs
    assert old.index.sentences.keys == sentences.keys
    for doc_id, doc in old.documents.items():
        assert np.array_equal(doc.raw_pos, seed_rag.documents[doc_id].raw_pos)
    assert (
        old.ask("蓬江区有多少支家庭医生团队？").text
        == seed_rag.ask("蓬江区有多少支家庭医生团队？").text
    )


def test_missing_index_names_rag_build(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match=r"no index at .*nothing: run `rag build"):
        RAG.open(tmp_path / "nothing")


def test_missing_manifest(index_copy: Path) -> None:
    (index_copy / "manifest.json").unlink()
    with pytest.raises(IndexCorruptError, match=r"manifest\.json is missing.*rag build"):
        RAG.open(index_copy)


def test_truncated_faiss_file_is_named(index_copy: Path) -> None:
    faiss_file = index_copy / "vectors.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:1000])
    with pytest.raises(IndexCorruptError, match=r"vectors\.faiss is truncated.*rag build"):
        RAG.open(index_copy)


def test_altered_file_fails_its_checksum(index_copy: Path) -> None:
    chunks = index_copy / "chunks.jsonl"
    data = bytearray(chunks.read_bytes())
    data[10] ^= 1
    chunks.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match=r"chunks\.jsonl does not match its checksum"):
        RAG.open(index_copy)


def test_other_embedder_is_refused(index_copy: Path) -> None:
    with pytest.raises(IndexMismatchError, match=r"built with embedder 'e5-small-q4', not 'st:x'"):
        RAG.open(index_copy, embedder="st:x")


def test_other_format_version_is_refused(index_copy: Path) -> None:
    manifest = json.loads((index_copy / "manifest.json").read_text("utf-8"))
    manifest["format_version"] = 99
    (index_copy / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexMismatchError, match="index format 99"):
        RAG.open(index_copy)


def test_a_folder_that_is_not_an_index_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep me", "utf-8")
    with pytest.raises(IndexMismatchError, match="is not an index"):
        RAG.build(SEEDS, target)
    assert (target / "precious.txt").read_text("utf-8") == "keep me"


def test_hnsw_index_finds_the_same_top_hit(seed_index_dir: Path, tmp_path: Path) -> None:
    # starting from a copy reuses its embeddings: only the FAISS index differs
    import shutil

    shutil.copytree(seed_index_dir.resolve(), tmp_path / "gen")
    os.symlink("gen", tmp_path / "hnsw")
    rag = RAG.build(SEEDS, tmp_path / "hnsw", settings=Settings(faiss_index="hnsw"))
    assert rag.manifest["faiss"]["kind"] == "hnsw"
    assert rag.build_report is not None and rag.build_report.embedded == 0
    hits = rag.search("蓬江区有多少支家庭医生团队？", k=3, mode="dense")
    assert "116支" in hits[0].text


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_eight_bit_chunk_vectors_find_the_same_passages(
    seed_rag: RAG, seed_index_dir: Path, tmp_path: Path, kind: str
) -> None:
    import shutil

    shutil.copytree(seed_index_dir.resolve(), tmp_path / "gen")
    os.symlink("gen", tmp_path / "sq8")
    settings = Settings.model_validate({"faiss_index": kind, "faiss_codes": "sq8"})
    rag = RAG.build(SEEDS, tmp_path / "sq8", settings=settings)
    assert rag.manifest["faiss"] | {"hnsw_m": 0, "hnsw_ef_construction": 0} == {
        "kind": kind,
        "codes": "sq8",
        "hnsw_m": 0,
        "hnsw_ef_construction": 0,
    }
    assert rag.build_report is not None and rag.build_report.embedded == 0
    if kind == "flat":  # a byte a dimension: a quarter of float32's
        size = (rag.index.path / "vectors.faiss").stat().st_size
        assert size < 0.3 * (seed_index_dir / "vectors.faiss").stat().st_size
    for query in ["蓬江区有多少支家庭医生团队？", "Who heads the Heshan health bureau?", "登革热"]:
        exact = [h.chunk_id for h in seed_rag.search(query, k=3, mode="dense")]
        assert [h.chunk_id for h in rag.search(query, k=3, mode="dense")][:1] == exact[:1]
        assert rag.search(query, k=5)[0].chunk_id == seed_rag.search(query, k=5)[0].chunk_id


def test_a_folder_of_textless_files_is_a_corpus_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.txt").write_bytes(bytes.fromhex("fffe00626164"))  # UTF-16 BOM, two odd chars
    with pytest.raises(CorpusError, match=r"no text to index under .*bad\.txt holds no sentence"):
        RAG.build(corpus, tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_a_mixed_folder_builds_from_its_good_files(index_copy: Path, tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.txt").write_bytes(bytes.fromhex("fffe00626164"))
    shutil.copy(SEEDS / "003_1282c769fd2c232a.txt", corpus)
    rag = RAG.build(corpus, index_copy)  # the copy's embeddings serve 003's texts
    assert rag.manifest["counts"]["documents"] == 1
    assert rag.build_report is not None and rag.build_report.embedded == 0
    assert "唐聪" in rag.search("唐聪", k=1)[0].text
