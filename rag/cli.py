"""The `rag` command line."""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from rag.corpus.chunking import ChunkerConfig, chunk_document
from rag.corpus.documents import load_documents
from rag.errors import RagError
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.evaluation.runner import ConfigRun

SNIPPET = 80


@click.group()
def main() -> None:
    """Cited question answering over a folder of Chinese news articles."""


@main.command()
@click.argument("seeds", default="seeds", type=click.Path())
@click.option("--target-chars", default=ChunkerConfig.target_chars, show_default=True)
@click.option("--show-chunks", is_flag=True, help="Print every chunk, not only the summary.")
def inspect(seeds: str, target_chars: int, show_chunks: bool) -> None:
    """Load, clean and chunk SEEDS; print the articles and chunk sizes found."""
    try:
        docs = load_documents(seeds)
        config = ChunkerConfig(target_chars=target_chars)
    except RagError as exc:
        raise click.ClickException(str(exc)) from exc
    sizes: list[int] = []
    for doc in docs:
        chunks = chunk_document(doc, config)
        sizes.extend(len(c.text) for c in chunks)
        click.echo(
            f"{doc.id}: {len(doc.raw)} raw chars → {len(doc.text)} clean, {len(chunks)} chunks"
        )
        for article in doc.articles:
            kicker = f"[{article.kicker}] " if article.kicker else ""
            click.echo(f"  · {kicker}{article.headline or '(untitled)'}")
        if show_chunks:
            for chunk in chunks:
                click.echo(f"    {chunk.chunk_id} {chunk.section or '-'}: {chunk.text}")
    if not sizes:
        click.echo("no chunks", err=True)
        sys.exit(1)
    click.echo(
        f"{len(docs)} documents, {sum(len(d.articles) for d in docs)} articles, "
        f"{len(sizes)} chunks (chars: min {min(sizes)}, median {statistics.median(sizes):.0f}, "
        f"max {max(sizes)})"
    )


@main.command()
@click.argument("seeds", default=None, required=False, type=click.Path())
@click.option("--index", "index_dir", default=None, help="Index folder [default: index/default].")
@click.option("--embedder", default=None, help="e5-small-q4 (default) or st:<model path>.")
@click.option("--faiss", "faiss_index", type=click.Choice(["flat", "hnsw"]), default=None)
@click.option(
    "--faiss-codes",
    type=click.Choice(["float32", "sq8"]),
    default=None,
    help="Chunk vectors as float32, or 8 bits a dimension (sq8: millions of chunks).",
)
def build(
    seeds: str | None,
    index_dir: str | None,
    embedder: str | None,
    faiss_index: str | None,
    faiss_codes: str | None,
) -> None:
    """Build (or rebuild) the index of SEEDS [default: seeds/]."""
    from rag.api import RAG

    try:
        chosen = {"faiss_index": faiss_index, "faiss_codes": faiss_codes}
        settings = Settings.model_validate({k: v for k, v in chosen.items() if v})
        rag = RAG.build(seeds, index_dir, embedder=embedder, settings=settings, progress=True)
    except RagError as exc:
        raise click.ClickException(str(exc)) from exc
    assert rag.build_report is not None
    click.echo(f"{rag.index.path}: {rag.build_report.summary()}")


@main.command()
@click.argument("query")
@click.option("--index", "index_dir", default=None, help="Index folder [default: index/default].")
@click.option("-k", "--k", "k", default=5, show_default=True, help="How many passages.")
@click.option("--mode", type=click.Choice(["dense", "bm25", "hybrid"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(query: str, index_dir: str | None, k: int, mode: str | None, as_json: bool) -> None:
    """Print the passages that best match QUERY."""
    from rag.api import RAG

    try:
        hits = RAG.open(index_dir).search(query, k=k, mode=mode)
    except RagError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2))
        return
    for n, hit in enumerate(hits, start=1):
        snippet = hit.text.replace("\n", " ")
        snippet = snippet if len(snippet) <= SNIPPET else snippet[:SNIPPET] + "…"
        where = f"{hit.title or '(untitled)'}" + (f" › {hit.section}" if hit.section else "")
        click.echo(
            f"{n}. [{hit.score:.4f} dense {hit.dense_score:.3f} bm25 {hit.bm25_score:.2f}] "
            f"{where}\n   {hit.doc} {hit.start}-{hit.end}: {snippet}"
        )
    if not hits:
        click.echo("no passage matches")


@main.command()
@click.argument("question")
@click.option("--index", "index_dir", default=None, help="Index folder [default: index/default].")
@click.option("-k", "--k", "k", default=None, type=int, help="Passages to draw on.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def ask(question: str, index_dir: str | None, k: int | None, as_json: bool) -> None:
    """Answer QUESTION from the articles, with numbered citations."""
    from rag.api import RAG

    try:
        answer = RAG.open(index_dir).ask(question, k=k)
    except RagError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(asdict(answer), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(answer.text)
    for c in answer.citations:
        click.echo(f"  [{c.n}] {c.title or c.doc} · {c.doc} {c.start}-{c.end}: {c.quote}")
    if not answer.found:
        for n, hit in enumerate(answer.hits[:3], start=1):
            snippet = hit.text.replace("\n", " ")[:SNIPPET]
            click.echo(f"  ({n}) {hit.title or hit.doc}: {snippet}…")


@main.command()
@click.option("--host", default=None, help="Interface [default: 127.0.0.1].")
@click.option("--port", default=None, type=int, help="Port [default: 8000].")
@click.option("--index", "index_dir", default=None, help="Index folder [default: index/default].")
def serve(host: str | None, port: int | None, index_dir: str | None) -> None:
    """Serve the chat page and the API (the index is built from seeds/ if missing)."""
    import uvicorn

    from server.app import create_app

    overrides: dict[str, object] = {"host": host, "port": port, "index_dir": index_dir}
    settings = Settings.model_validate({k: v for k, v in overrides.items() if v is not None})
    click.echo(f"serving on http://{settings.host}:{settings.port}/  (Ctrl-C stops)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@main.command("eval")
@click.argument("gold", nargs=-1, type=click.Path())
@click.option("--index", "index_dir", default=None, help="Index folder [default: index/default].")
@click.option("--compare", default=None, help="Retrievers side by side, e.g. dense,bm25,hybrid.")
@click.option("--out", "out_dir", default=None, type=click.Path(), help="Report folder.")
@click.option(
    "--min",
    "floors",
    multiple=True,
    metavar="KEY=VALUE",
    help="Exit 1 when the first gold file's metric KEY (first configuration) is below VALUE.",
)
@click.option(
    "--squad",
    type=click.Path(),
    default=None,
    help="A SQuAD-format file (CMRC 2018, DRCD, XQuAD): index its paragraphs, ask its questions.",
)
@click.option(
    "--questions",
    type=click.Path(),
    default=None,
    help="With --squad: ask this file's questions instead, matched by id (XQuAD English).",
)
@click.option("--limit", type=int, default=None, help="With --squad: a seeded sample of N.")
@click.option(
    "--unanswerable",
    type=float,
    default=0.0,
    show_default=True,
    help="With --squad: share of paragraphs left out, their questions to be refused.",
)
def evaluate_cmd(
    gold: tuple[str, ...],
    index_dir: str | None,
    compare: str | None,
    out_dir: str | None,
    floors: tuple[str, ...],
    squad: str | None,
    questions: str | None,
    limit: int | None,
    unanswerable: float,
) -> None:
    """Run the gold sets GOLD [default: eval/dev.jsonl eval/test.jsonl], or a public set with
    --squad, and write a report."""
    from pathlib import Path

    from rag.evaluation.report import default_folder, write_report

    try:
        limits = {key: float(value) for key, _, value in (f.partition("=") for f in floors)}
    except ValueError as exc:
        raise click.BadParameter(f"--min takes KEY=NUMBER, e.g. hit@5=0.8 ({exc})") from exc
    if squad is None and (questions or limit is not None or unanswerable):
        raise click.BadParameter("--questions, --limit and --unanswerable need --squad FILE")
    if squad is not None and (gold or compare):
        raise click.BadParameter("--squad runs its own set and retrievers: drop GOLD/--compare")
    try:
        if squad is not None:
            runs_by_split, meta = _squad_runs(squad, questions, limit, unanswerable, index_dir)
        else:
            runs_by_split, meta = _gold_runs(gold, compare, index_dir)
    except RagError as exc:
        raise click.ClickException(str(exc)) from exc
    folder = Path(out_dir) if out_dir else default_folder()
    for split, runs in runs_by_split.items():
        write_report(folder, split, runs, meta)
        click.echo(
            f"{split}: "
            + ", ".join(
                f"{r.name} hit@5 {_number(r.metrics['hit@5'])} acc {_number(r.metrics['accuracy'])}"
                for r in runs
            )
        )
    click.echo(f"report: {folder}")
    first = next(iter(runs_by_split.values()))[0].metrics
    failed = []
    for key, floor in limits.items():
        value = first.get(key)
        if not isinstance(value, float | int):
            raise click.BadParameter(f"--min {key}: no such metric; use e.g. hit@5, accuracy")
        if value < floor:
            failed.append(f"{key} = {value:.3f} < {floor}")
    if failed:
        click.echo("below the floor: " + "; ".join(failed), err=True)
        sys.exit(1)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"  # None: not measured (a baseline)


def _gold_runs(
    gold: tuple[str, ...], compare: str | None, index_dir: str | None
) -> tuple[dict[str, list[ConfigRun]], dict[str, Any]]:
    from pathlib import Path

    from rag.api import RAG
    from rag.evaluation.gold import load_gold
    from rag.evaluation.runner import evaluate

    paths = [Path(g) for g in gold] or [Path("eval/dev.jsonl"), Path("eval/test.jsonl")]
    configs = {m: {"mode": m} for m in compare.split(",")} if compare else None
    rag = RAG.open(index_dir)
    runs = {p.stem: evaluate(rag, load_gold(p), configs, progress=True) for p in paths}
    meta = {"index": str(rag.index.path), "embedder": rag.embedder.name, **rag.manifest["counts"]}
    return runs, meta


def _squad_runs(
    squad: str, questions: str | None, limit: int | None, share: float, index_dir: str | None
) -> tuple[dict[str, list[ConfigRun]], dict[str, Any]]:
    from rag.evaluation.squad_runner import evaluate_squad

    run = evaluate_squad(
        squad,
        questions=questions,
        limit=limit,
        unanswerable=share,
        index_dir=index_dir,
        progress=True,
    )
    return {run.name: run.runs}, run.meta


if __name__ == "__main__":
    main()
