"""The `rag` command line."""

from __future__ import annotations

import statistics
import sys

import click

from rag.chunking import ChunkerConfig, chunk_document
from rag.documents import load_documents
from rag.errors import RagError


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


if __name__ == "__main__":
    main()
