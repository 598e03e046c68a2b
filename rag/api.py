"""The `RAG` object: the one entry point for notebooks, scripts, the CLI and the server.

rag = RAG.build("seeds", "index/default")   # build (or rebuild) and open
rag = RAG.open("index/default")             # open a built index
hits = rag.search("蓬江区有多少支家庭医生团队？", k=5)
doc = rag.document("001_8ed587983628aeb3.txt")
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag.answering.citing import MarkerRewriter, citations_for, rewrite_stream
from rag.answering.comparison import Comparisons
from rag.answering.generators import Generator, get_generator
from rag.answering.hops import TwoHops
from rag.answering.selector import Selector
from rag.answering.spans import SpanModel
from rag.answering.template import AnswerConfig, TemplateAnswerer
from rag.corpus.chunking import ChunkerConfig
from rag.errors import ConfigError, GeneratorError, QueryError
from rag.indexing.build import BuildReport, build_index
from rag.indexing.embedders import Embedder, get_embedder
from rag.indexing.store import StoredIndex, read_index, read_manifest
from rag.query.analysis import analyse
from rag.records import Answer, Chunk, Document, Hit, Question
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.timing import Clock


@functools.lru_cache(maxsize=4)
def _selector(choice: str) -> Selector | None:
    """The answer selector the settings name (loaded once per process)."""
    if choice == "weights":
        return None
    return Selector.load(None if choice == "learned" else choice)


@functools.lru_cache(maxsize=4)
def _spans(choice: str) -> SpanModel | None:
    """The short-answer span model the settings name (loaded once per process)."""
    if choice == "rules":
        return None
    return SpanModel.load(None if choice == "learned" else choice)


def _generator(settings: Settings, given: Generator | None) -> Generator | None:
    """The generator the settings ask for (None for the template answerer)."""
    if given is not None:
        return given
    kind, _, name = settings.answerer.partition(":")
    if kind == "template" and not name:
        return None
    if kind == "generator" and name:
        return get_generator(name, settings)
    raise ConfigError(
        f"unknown answerer {settings.answerer!r}: use 'template' or 'generator:<name>' "
        "(e.g. generator:openai)"
    )


def _pieces(answer: Answer) -> Iterator[str]:
    """A template answer's text, one cited sentence at a time."""
    for piece in re.split(r"(?<=\])", answer.text):
        if piece:
            yield piece


def _embedder(spec: str | Embedder | None, default: str) -> Embedder:
    if spec is None:
        return get_embedder(default)
    return get_embedder(spec) if isinstance(spec, str) else spec


class RAG:
    """An opened index with its embedder, ready to search."""

    def __init__(
        self,
        index: StoredIndex,
        embedder: Embedder,
        settings: Settings | None = None,
        build_report: BuildReport | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.index = index
        self.embedder = embedder
        self.build_report = build_report
        index.dense.set_ef_search(self.settings.hnsw_ef_search)
        index.dense.set_threads(self.settings.faiss_threads)
        self.answerer = TemplateAnswerer(
            index.documents,
            index.sentences,
            index.sentences.rows_of(index.chunks),
            index.lexical,
            AnswerConfig(
                passages=self.settings.answer_passages,
                min_score=self.settings.answer_min_score,
                min_score_en=self.settings.answer_min_score_en,
                selector=_selector(self.settings.answer_selector),
                spans=_spans(self.settings.short_answer),
                min_probability=self.settings.answer_min_probability,
            ),
            index.lookup.readings,
        )
        self.generator = _generator(self.settings, generator)
        self.retriever = Retriever(
            index.chunks,
            index.dense,
            index.lexical,
            embedder,
            fusion=self.settings.fusion,
            bm25_weight=self.settings.bm25_weight,
            rrf_k=self.settings.rrf_k,
            depth=self.settings.depth,
            max_k=self.settings.max_k,
            query_cache=self.settings.query_cache,
        )
        self.hops = TwoHops(self.analyse, self.retriever, self.answerer)
        self.comparisons = Comparisons(self.analyse, self.retriever, self.answerer)

    @classmethod
    def build(
        cls,
        corpus: str | Path | None = None,
        index_dir: str | Path | None = None,
        *,
        embedder: str | Embedder | None = None,
        chunker: ChunkerConfig | None = None,
        settings: Settings | None = None,
        generator: Generator | None = None,
        progress: bool = False,
    ) -> RAG:
        """Build (or rebuild) the index of `corpus` into `index_dir` and open it.

        Embeddings already in `index_dir` from the same embedder are reused.

        Raises:
            CorpusError: the corpus cannot be loaded (names the file).
            ConfigError: an unknown embedder or bad chunker setting.
        """
        settings = settings or Settings()
        model = _embedder(embedder, settings.embedder)
        index, report = build_index(
            corpus if corpus is not None else settings.corpus_dir,
            index_dir if index_dir is not None else settings.index_dir,
            model,
            settings,
            chunker,
            progress,
        )
        return cls(index, model, settings, report, generator)

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        embedder: str | Embedder | None = None,
        settings: Settings | None = None,
        generator: Generator | None = None,
    ) -> RAG:
        """Open a built index; by default with the embedder it was built with.

        Raises:
            IndexNotFoundError: nothing there (the message names `rag build`).
            IndexCorruptError: a file missing, truncated or altered.
            IndexMismatchError: `embedder` differs from the one the index was built with.
        """
        settings = settings or Settings()
        path = Path(index_dir if index_dir is not None else settings.index_dir)
        built_with = read_manifest(path)["embedder"]["name"]
        model = _embedder(embedder, built_with)
        return cls(read_index(path, model.name), model, settings, generator=generator)

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    @property
    def documents(self) -> dict[str, Document]:
        return self.index.documents

    @property
    def manifest(self) -> dict[str, Any]:
        return self.index.manifest

    def analyse(self, question: str) -> Question:
        """How the question is read against this index: its language, the kind of answer it
        asks for, its tokens and their weights (what `search` and `ask` work from).

        Raises:
            QueryError: the question is not text, or is empty.
        """
        return analyse(question, self.index.lexical, self.index.lookup)

    def search(self, query: str, k: int = 5, mode: str | None = None) -> list[Hit]:
        """The `k` best chunks for `query`, best first (`mode`: dense, bm25 or hybrid).

        Raises:
            QueryError: empty query, `k` out of range, unknown mode.
        """
        read, mode = self.analyse(query), mode or self.settings.mode
        if read.subject is not None:  # a described subject: both hops' passages
            return self.hops.hits(self.hops.retrieve(read, k, mode), k)
        if read.comparison is not None:  # two things compared: both look-ups' passages
            lookups = self.comparisons.retrieve(read, k, mode)  # the figures' passages first
            return self.comparisons.hits(lookups, k)
        return self.retriever.search(read, k, mode)

    def ask(self, question: str, k: int | None = None) -> Answer:
        """Answer `question` from the articles, citing the sentences used.

        Args:
            k: passages retrieved (and returned in `Answer.hits`); default from settings.

        Raises:
            QueryError: empty question or `k` out of range.
            GeneratorError: the generator failed and `generator_fallback` is off.
        """
        for item in self.stream(question, k):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream() always ends with an Answer")  # pragma: no cover

    def stream(self, question: str, k: int | None = None) -> Iterator[str | Answer]:
        """The answer's text in pieces as it is produced, then the final `Answer`.

        With a generator, markers are checked and renumbered as the pieces pass; when the
        generator fails and `generator_fallback` is on, the template answer follows (and
        the final `Answer` is the template's, its `meta` saying why).
        """
        k = self.settings.answer_passages if k is None else k
        clock = Clock()
        read = self.analyse(question)  # the one reading of the question every stage shares
        clock.lap("analyse")
        two_hops = lookups = None
        if read.subject is not None:  # a subject described, not named: find its name first
            two_hops = self.hops.retrieve(read, k, self.settings.mode, clock)
            read, qvec, hits = two_hops.question, two_hops.qvec, self.hops.hits(two_hops, k)
        elif read.comparison is not None:  # two things compared: each one's figure first
            lookups = self.comparisons.retrieve(read, k, self.settings.mode, clock)
            qvec, hits = lookups[0].qvec, self.comparisons.hits(lookups, k)
        else:
            qvec = self.retriever.embed_query(read)
            clock.lap("embed")
            hits = self.retriever.search(read, k, self.settings.mode, qvec=qvec, clock=clock)

        def template() -> Answer:  # the answer without a generator, or when it fails
            if two_hops:
                return self.hops.answer(two_hops, k)
            if lookups:
                return self.comparisons.answer(read, lookups, k)
            return self.answerer.answer(read, qvec, hits)

        if self.generator is None:
            answer = template()
            clock.lap("answer")
            answer = replace(answer, meta={**answer.meta, "timings_ms": clock.ms()})
            yield from _pieces(answer)
            yield answer
            return
        rewriter = MarkerRewriter(len(hits))
        emitted = False
        try:
            for piece in rewrite_stream(self.generator.generate(read, hits), rewriter):
                emitted = True
                yield piece
        except GeneratorError as exc:
            if not self.settings.generator_fallback:
                raise
            fallback = template()
            clock.lap("answer")
            meta = {
                **fallback.meta,
                "fallback": str(exc),
                "partial": rewriter.text,
                "timings_ms": clock.ms(),
            }
            yield ("\n\n" if emitted else "") + fallback.text
            yield replace(fallback, meta=meta)
            return
        citations = citations_for(rewriter, hits, self.documents)
        clock.lap("answer")
        yield Answer(
            text=rewriter.text.strip(),
            found=bool(citations),
            citations=citations,
            hits=tuple(hits),
            lang=read.lang,
            meta={
                "answerer": f"generator:{self.generator.name}",
                "dropped_markers": rewriter.dropped,
            },
        )

    def document(self, doc_id: str) -> Document:
        """The cleaned document `doc_id` (its file name).

        Raises:
            QueryError: no such document in the index.
        """
        try:
            return self.index.documents[doc_id]
        except KeyError:
            raise QueryError(
                f"no document {doc_id!r} in {self.index.path}: "
                f"use one of {', '.join(sorted(self.index.documents)[:5])} …"
            ) from None

    def __repr__(self) -> str:
        counts = self.manifest.get("counts", {})
        return (
            f"RAG({str(self.index.path)!r}, embedder={self.embedder.name!r}, "
            f"documents={counts.get('documents')}, chunks={counts.get('chunks')})"
        )
