"""Text that remembers where each of its characters came from in the raw file.

Cleaning deletes, joins and de-duplicates; a citation must still be able to point into the
original file. `MappedText` carries, for every character, its offset in the raw text, and every
edit the cleaner makes goes through it, so the map can never drift from the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MappedText:
    """A string plus the raw offset of each of its characters (`len(pos) == len(text)`)."""

    text: str
    pos: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.text) != len(self.pos):
            raise ValueError(f"text of {len(self.text)} chars has {len(self.pos)} positions")

    @classmethod
    def from_raw(cls, raw: str, start: int, end: int) -> MappedText:
        """The raw slice `raw[start:end]`, mapped to itself."""
        return cls(raw[start:end], tuple(range(start, end)))

    @classmethod
    def join(cls, parts: Iterable[MappedText]) -> MappedText:
        texts: list[str] = []
        pos: list[int] = []
        for part in parts:
            texts.append(part.text)
            pos.extend(part.pos)
        return cls("".join(texts), tuple(pos))

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, item: slice) -> MappedText:
        return MappedText(self.text[item], self.pos[item])

    def __add__(self, other: MappedText) -> MappedText:
        return MappedText(self.text + other.text, self.pos + other.pos)

    def strip(self, chars: str | None = None) -> MappedText:
        stripped = self.text.lstrip(chars)
        start = len(self.text) - len(stripped)
        end = start + len(stripped.rstrip(chars))
        return self[start:end]

    def keep(self, indexes: Iterable[int]) -> MappedText:
        """Only the characters at `indexes` (in the order given)."""
        idx = list(indexes)
        return MappedText("".join(self.text[i] for i in idx), tuple(self.pos[i] for i in idx))
