"""The exceptions of the `rag` package. Everything raised on purpose derives from `RagError`::

    RagError
    ├── CorpusError        a corpus folder or file that cannot be loaded (names the path)
    └── ConfigError        a setting with a value that cannot work

Messages name the bad value and the way out.
"""

from __future__ import annotations


class RagError(Exception):
    """Root of every error the package raises on purpose."""


class CorpusError(RagError, ValueError):
    """A corpus folder or file cannot be loaded: missing, empty, binary or undecodable."""


class ConfigError(RagError, ValueError):
    """A setting has a value that cannot work (the message says which values can)."""
