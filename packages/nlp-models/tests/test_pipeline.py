import pytest

from nlp_models.pipeline import Pipeline


def tagger(doc):
    return doc


def parser(doc):
    return doc


def ner(doc):
    return doc


def make():
    pipeline = Pipeline()
    pipeline.add(tagger, "tagger")
    pipeline.add(parser, "parser")
    pipeline.add(ner, "ner")
    return pipeline


def test_add_positions():
    pipeline = make()
    pipeline.add(lambda d: d, "first", first=True)
    pipeline.add(lambda d: d, "before_ner", before="ner")
    pipeline.add(lambda d: d, "after_tagger", after="tagger")
    assert pipeline.names == ["first", "tagger", "after_tagger", "parser", "before_ner", "ner"]


def test_add_errors():
    pipeline = make()
    with pytest.raises(ValueError, match="already in the pipeline"):
        pipeline.add(tagger, "tagger")
    with pytest.raises(ValueError, match="not callable"):
        pipeline.add(42, "number")
    with pytest.raises(ValueError, match="only one of"):
        pipeline.add(tagger, "x", first=True, last=True)
    with pytest.raises(KeyError, match="no_such"):
        pipeline.add(tagger, "x", before="no_such")


def test_disable_restores_in_place():
    pipeline = make()
    with pipeline.disable(["tagger", "ner"]) as disabled:
        assert list(disabled) == ["tagger", "ner"]
        assert pipeline.names == ["parser"]
    assert pipeline.names == ["tagger", "parser", "ner"]


def test_insert_at_an_index():
    pipeline = make()
    pipeline.insert(1, "between", lambda d: d)
    pipeline.insert(99, "end", lambda d: d)
    assert pipeline.names == ["tagger", "between", "parser", "ner", "end"]
    with pytest.raises(ValueError, match="already in the pipeline"):
        pipeline.insert(0, "ner", ner)
    with pytest.raises(ValueError, match="not callable"):
        pipeline.insert(0, "number", 42)


def test_replace_remove_rename():
    pipeline = make()
    pipeline.replace("parser", ner)
    assert pipeline.get("parser") is ner
    pipeline.rename("parser", "parser2")
    assert pipeline.remove("parser2") == ("parser2", ner)
    assert pipeline.names == ["tagger", "ner"]
