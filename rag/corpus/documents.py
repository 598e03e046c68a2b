"""Load a folder of articles (``.txt`` / ``.md``) into cleaned `Document` records.

Files are read as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
GB18030, the encoding many Chinese files come in. The text is then repaired
(`rag.corpus.cleaning`) and laid out into articles (`rag.corpus.layout`).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from rag.corpus.cleaning import repair
from rag.corpus.layout import assemble
from rag.errors import CorpusError
from rag.records import Document
from rag.text import OffsetMap

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
# Share of control characters above which decoded "text" is really a binary file.
MAX_CONTROL_SHARE = 0.01


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes, returning ``(text, encoding)``.

    Raises:
        CorpusError: the bytes are binary or in no supported encoding.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data[:8192]:
        raise CorpusError(
            f"{name} looks like a binary file (it holds NUL bytes): "
            "keep only .txt/.md article text in the corpus folder"
        )
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(
            1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f"
        )
        if text and controls / len(text) > MAX_CONTROL_SHARE:
            raise CorpusError(
                f"{name} looks like a binary file ({controls} control characters): "
                "keep only .txt/.md article text in the corpus folder"
            )
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise CorpusError(
        f"{name} is neither UTF-8 nor GB18030 text: re-save it as UTF-8 "
        "(e.g. `iconv -f <encoding> -t utf-8`)"
    )


def parse(doc_id: str, raw: str, path: Path | None = None, encoding: str = "utf-8") -> Document:
    """Clean and lay out one file's text."""
    text, articles, paragraphs = assemble(repair(raw))
    return Document(
        id=doc_id,
        raw=raw,
        text=text.text,
        articles=tuple(articles),
        paragraphs=tuple(paragraphs),
        raw_map=OffsetMap.of(text.pos),
        path=path,
        encoding=encoding,
    )


def corpus_files(folder: str | Path) -> list[Path]:
    """The ``.txt``/``.md`` files under `folder` (recursively, hidden ones skipped), sorted.

    Raises:
        CorpusError: the folder is missing or holds no such file.
    """
    root = Path(folder)
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist: pass the folder of .txt/.md files")
    if root.is_file():
        if root.suffix.lower() not in SUFFIXES:
            raise CorpusError(f"{root} is not a .txt or .md file")
        return [root]
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not files:
        raise CorpusError(f"corpus folder {root} holds no .txt or .md file: add articles first")
    return files


def iter_documents(folder: str | Path) -> Iterator[Document]:
    """Load, clean and lay out every article file under `folder`, one at a time.

    Empty files are skipped with a warning. Raises `CorpusError` naming the file that cannot be
    read.
    """
    root = Path(folder)
    for path in corpus_files(root):
        doc_id = path.name if path == root else path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc
        raw, encoding = decode(data, str(path))
        if not raw.strip():
            log.warning("skipping %s: the file is empty", path)
            continue
        yield parse(doc_id, raw, path, encoding)


def load_documents(folder: str | Path) -> list[Document]:
    """All documents under `folder` (see `iter_documents`).

    Raises:
        CorpusError: the folder is missing, holds no article file, or a file cannot be read;
            also when every file is empty.
    """
    docs = list(iter_documents(folder))
    if not docs:
        raise CorpusError(f"every article file under {folder} is empty: add article text first")
    return docs
