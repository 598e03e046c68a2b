"""Decision trees as arrays: a sum of binary trees (gradient boosting's model) stored as
numbers and scored with array operations, so that a fitted model loads without executing
anything and answering needs no LightGBM (`eval/train_spans.py` fits with it and converts
its dump here, `Trees.from_lightgbm`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

Node = tuple[int, float, int, int]  # feature, threshold, left child, right child


def _visit(node: dict[str, Any], nodes: list[Node], leaves: dict[int, float]) -> int:
    """Number `node`'s subtree into `nodes` and `leaves`; its own number (a leaf: ``~i``)."""
    if "leaf_value" in node:
        index = int(node.get("leaf_index", 0))
        leaves[index] = float(node["leaf_value"])
        return ~index
    if node.get("decision_type", "<=") != "<=":
        raise ValueError(f"unexpected split {node.get('decision_type')}")
    at = len(nodes)
    nodes.append((int(node["split_feature"]), float(node["threshold"]), 0, 0))
    left = _visit(node["left_child"], nodes, leaves)
    right = _visit(node["right_child"], nodes, leaves)
    nodes[at] = (nodes[at][0], nodes[at][1], left, right)
    return at


def _tables(dump: dict[str, Any]) -> list[tuple[list[Node], dict[int, float]]]:
    """Each tree of a LightGBM dump (`Booster.dump_model()`) as its nodes and leaves."""
    tables = []
    for info in dump["tree_info"]:
        nodes: list[Node] = []
        leaves: dict[int, float] = {}
        root = _visit(info["tree_structure"], nodes, leaves)
        if root < 0:  # a tree of one leaf: a node whose both sides reach it
            nodes.append((0, float("inf"), root, root))
        tables.append((nodes, leaves))
    return tables


# QuickScorer (Lucchese et al., SIGIR 2015): a tree's leaves as bits, left to right; a node
# whose test fails removes the leaves of its left subtree; the leaf reached is the leftmost
# left. Every test of every tree is one array comparison, with no walk node by node.
MAX_LEAVES = 8  # a tree's leaves fit one byte
LOWEST_BIT = np.asarray([(i & -i).bit_length() - 1 if i else 0 for i in range(256)])


@dataclass(frozen=True)
class Trees:
    """A sum of binary decision trees, as arrays (one row per tree): internal node i tests
    ``x[feature] <= threshold`` and goes to `left` or `right`; a child ``< 0`` is the leaf
    ``~child``, whose value is in `values`; node 0 is the root."""

    feature: NDArray[np.int64]
    threshold: NDArray[np.float64]
    left: NDArray[np.int64]
    right: NDArray[np.int64]
    values: NDArray[np.float64]
    # derived for scoring (`raw`): the leaves each failing test removes, thresholds with
    # unused nodes never failing, leaf values in left-to-right order
    removes: NDArray[np.uint8] = field(init=False, repr=False, compare=False)
    tests: NDArray[np.float64] = field(init=False, repr=False, compare=False)
    ordered: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        trees, width = self.feature.shape
        removes = np.zeros((trees, width), dtype=np.uint8)
        tests = np.full((trees, width), np.inf)
        ordered = np.zeros((trees, MAX_LEAVES))
        for t in range(trees):
            leaves: list[int] = []
            stack: list[tuple[int, bool]] = [(0, False)]  # (node, its subtrees visited)
            spans: dict[int, tuple[int, int]] = {}  # node → its leaves' positions [a, b)
            while stack:
                node, visited = stack.pop()
                if node < 0:
                    if ~node >= self.values.shape[1]:
                        raise ValueError(f"tree {t}: leaf {~node} has no value")
                    leaves.append(~node)
                    continue
                if node >= width:
                    raise ValueError(f"tree {t}: node {node} of {width}")
                if not visited:
                    if node in spans:  # reached twice: no tree, and the walk would not end
                        raise ValueError(f"tree {t}: node {node} has two parents")
                    stack.append((node, True))
                    stack.extend(
                        ((int(self.right[t, node]), False), (int(self.left[t, node]), False))
                    )
                    spans[node] = (len(leaves), -1)
                    continue
                spans[node] = (spans[node][0], len(leaves))
            if len(leaves) > MAX_LEAVES:  # before their bits overflow a byte
                raise ValueError(f"a tree of {len(leaves)} leaves: at most {MAX_LEAVES}")
            for node, (first, _) in spans.items():
                left = int(self.left[t, node])
                end = spans[left][1] if left >= 0 else first + 1
                removed = sum(1 << p for p in range(first, end))
                removes[t, node] = removed
                tests[t, node] = self.threshold[t, node]
            ordered[t, : len(leaves)] = self.values[t, leaves]
        object.__setattr__(self, "removes", removes)
        object.__setattr__(self, "tests", tests)
        object.__setattr__(self, "ordered", ordered)

    def raw(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each row's sum over the trees."""
        failed = x[:, self.feature] > self.tests  # rows × trees × nodes
        removed = np.bitwise_or.reduce(failed * self.removes, axis=2)
        reached = LOWEST_BIT[~removed]
        sums = self.ordered[np.arange(len(self.feature))[None, :], reached].sum(axis=1)
        return np.asarray(sums, dtype=np.float64)

    @classmethod
    def from_lightgbm(cls, dump: dict[str, Any]) -> Trees:
        """The trees of a LightGBM dump (`Booster.dump_model()`), internal nodes numbered in
        visiting order, padded to the largest tree."""
        tables = _tables(dump)
        width = max(len(nodes) for nodes, _ in tables)
        count = max(len(leaves) for _, leaves in tables)
        feature = np.zeros((len(tables), width), np.int64)
        threshold = np.zeros((len(tables), width))
        left = np.zeros((len(tables), width), np.int64)
        right = np.zeros((len(tables), width), np.int64)
        values = np.zeros((len(tables), count))
        for t, (nodes, leaves) in enumerate(tables):
            for i, (f, thr, lo, hi) in enumerate(nodes):
                feature[t, i], threshold[t, i], left[t, i], right[t, i] = f, thr, lo, hi
            for index, value in leaves.items():
                values[t, index] = value
        return cls(feature, threshold, left, right, values)

    def to_json(self) -> dict[str, object]:
        return {
            "feature": self.feature.tolist(),
            "threshold": self.threshold.tolist(),
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "values": self.values.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Trees:
        feature, left, right = (
            np.asarray(data[k], dtype=np.int64) for k in ("feature", "left", "right")
        )
        threshold = np.asarray(data["threshold"], dtype=np.float64)
        values = np.asarray(data["values"], dtype=np.float64)
        if not (feature.shape == threshold.shape == left.shape == right.shape) or feature.ndim != 2:
            raise ValueError("feature, threshold, left and right: one row per tree, alike")
        if values.ndim != 2 or len(values) != len(feature):
            raise ValueError("values: one row per tree")
        if feature.size and feature.min() < 0:
            raise ValueError("a node tests a negative feature")
        return cls(feature, threshold, left, right, values)
