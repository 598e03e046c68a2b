import rag


def test_all_matches_public_names() -> None:
    public = {name for name in vars(rag) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(rag, name)).__name__ == "module"}
    assert set(rag.__all__) == public - modules
    assert len(rag.__all__) == len(set(rag.__all__))
