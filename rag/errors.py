"""The exceptions of the `rag` package. Everything raised on purpose derives from `RagError`::

    RagError
    ├── CorpusError        a corpus folder or file that cannot be loaded (names the path)
    ├── ConfigError        a setting with a value that cannot work
    ├── QueryError         a query that cannot be run (empty, k out of range, unknown mode)
    ├── GeneratorError     the language-model generator failed (unreachable, timeout, HTTP
    │                      error, malformed stream)
    └── IndexError_        an index on disk that cannot be used; names what to run
        ├── IndexNotFoundError   no index there (also a FileNotFoundError)
        ├── IndexCorruptError    a file missing, truncated or changed since the build
        └── IndexMismatchError   built with another embedder or format version

Messages name the bad value and the way out.
"""

from __future__ import annotations


class RagError(Exception):
    """Root of every error the package raises on purpose."""


class CorpusError(RagError, ValueError):
    """A corpus folder or file cannot be loaded: missing, empty, binary or undecodable."""


class ConfigError(RagError, ValueError):
    """A setting has a value that cannot work (the message says which values can)."""


class QueryError(RagError, ValueError):
    """A search or question that cannot be run as given."""


class IndexError_(RagError):
    """An index on disk that cannot be opened; the message says what to run."""


class IndexNotFoundError(IndexError_, FileNotFoundError):
    """There is no index at the given folder."""


class IndexCorruptError(IndexError_):
    """A file of the index is missing, truncated or altered since it was built."""


class IndexMismatchError(IndexError_):
    """The index was built with another embedder or an unsupported format version."""


class GeneratorError(RagError):
    """The generator could not produce an answer; the message says why and where."""
