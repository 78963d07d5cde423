"""nlp_models.listeners: the shared tok2vec's wiring by name (link, check, rename, unlink), on
its own and through the Language's pipeline editing (components built, never trained)."""

import pytest

from nlp_models import Tok2Vec, blank
from nlp_models.listeners import check_listeners, link_listeners, rename_upstream, unlink
from nlp_models.pipeline import Pipeline

T2V = {"width": 16, "depth": 1, "embed_rows": 200}


def plain(doc):
    return doc


def parts(nlp):
    """A Tok2Vec called "t2v", a tagger and a parser listening to it, and a plain function."""
    return {
        "t2v": Tok2Vec(nlp.vocab, name="t2v", **T2V),
        "tagger": nlp.create_pipe("tagger", {"tok2vec": "t2v"}),
        "parser": nlp.create_pipe("parser", {"tok2vec": "t2v", "hidden_width": 16}),
        "plain": plain,
    }


def pipeline_of(components, order):
    pipeline = Pipeline()
    for name in order:
        pipeline.add(components[name], name)
    return pipeline


def test_link_listeners_links_by_name_and_unlinks_the_rest():
    c = parts(blank("en"))
    pairs = [("t2v", c["t2v"]), ("plain", plain), ("tagger", c["tagger"]), ("parser", c["parser"])]
    link_listeners(pairs)
    assert c["t2v"].listeners == (c["tagger"], c["parser"])
    assert c["tagger"].upstream is c["t2v"] and c["parser"].upstream is c["t2v"]
    assert c["tagger"].cfg["width"] == 16  # an unbuilt listener takes the upstream's width
    link_listeners([("tagger", c["tagger"]), ("plain", plain)])  # no upstream of that name now
    assert c["tagger"].upstream is None
    link_listeners([("t2v", c["t2v"]), ("parser", c["parser"])])
    assert c["t2v"].listeners == (c["parser"],)  # exactly the listeners present


def test_check_listeners_names_both_components_for_each_wiring_error():
    c = parts(blank("en"))
    pipeline = pipeline_of(c, ["t2v", "tagger", "parser", "plain"])
    check_listeners(pipeline)  # links what was not linked yet
    assert c["tagger"].upstream is c["t2v"]
    with pytest.raises(ValueError, match="'tagger' reads its token vectors from the tok2vec component "
                                         "'t2v', which is disabled: enable or add 't2v' before 'tagger'"):
        check_listeners(pipeline, disable=["t2v"])
    check_listeners(pipeline, disable=["t2v", "tagger", "parser"])  # disabled together: fine
    alone = pipeline_of(parts(blank("en")), ["tagger", "plain"])
    with pytest.raises(ValueError, match="'tagger' .* 't2v', which is not in the pipeline"):
        check_listeners(alone)
    late = pipeline_of(c, ["tagger", "t2v"])
    with pytest.raises(ValueError, match="'tagger' reads .* from 't2v', which runs after it: put 't2v' before"):
        check_listeners(late)
    wrong = parts(blank("en"))
    odd = Pipeline()
    odd.add(plain, "t2v")
    odd.add(wrong["tagger"], "tagger")
    with pytest.raises(ValueError, match="'tagger' reads .* from 't2v', which is not a tok2vec component "
                                         r"\(it is function\)"):
        check_listeners(odd)


def test_rename_upstream_makes_its_listeners_follow():
    c = parts(blank("en"))
    pipeline = pipeline_of(c, ["t2v", "tagger", "parser"])
    link_listeners(pipeline)
    pipeline.rename("t2v", "shared")
    c["t2v"].name = "shared"
    rename_upstream(pipeline, "t2v", "shared")
    assert c["tagger"].listens_to == "shared" and c["parser"].cfg["tok2vec"] == "shared"
    assert c["t2v"].listeners == (c["tagger"], c["parser"]) and c["parser"].upstream is c["t2v"]
    pipeline.rename("tagger", "tagger2")
    c["tagger"].name = "tagger2"
    rename_upstream(pipeline, "tagger", "tagger2")  # not an upstream: nobody else changes
    assert c["parser"].listens_to == "shared" and c["t2v"].listeners == (c["tagger"], c["parser"])


def test_unlink_undoes_both_sides():
    c = parts(blank("en"))
    link_listeners(pipeline_of(c, ["t2v", "tagger", "parser"]))
    unlink(c["tagger"])
    assert c["tagger"].upstream is None
    unlink(c["t2v"])
    assert c["t2v"].listeners == () and c["parser"].upstream is None
    unlink(plain)  # anything else: nothing to undo


def test_listen_to_changes_only_the_name_of_a_listener():
    nlp = blank("en")
    own = nlp.create_pipe("tagger")
    with pytest.raises(ValueError, match="'tagger' has no cfg tok2vec: it was built with its own tok2vec"):
        own.listen_to("t2v")
    c = parts(nlp)
    link_listeners([("t2v", c["t2v"]), ("tagger", c["tagger"])])
    c["tagger"].listen_to("other")
    assert c["tagger"].upstream is None and c["t2v"].listeners == ()


def test_the_language_edits_its_pipeline_through_the_wiring():
    nlp = blank("en")
    c = parts(nlp)
    for name in ("tagger", "parser", "plain"):
        nlp.add_pipe(c[name], name=name)
    assert c["tagger"].upstream is None
    nlp.add_pipe(c["t2v"], name="t2v", first=True)
    assert c["t2v"].listeners == (c["tagger"], c["parser"])
    nlp.rename_pipe("t2v", "shared")
    assert nlp.get_pipe("tagger").listens_to == "shared" and c["tagger"].upstream is c["t2v"]
    with nlp.disable_pipes("shared"), pytest.raises(ValueError, match="'tagger' .* 'shared', which is disabled"):
        nlp("no vectors")
    name, removed = nlp.remove_pipe("shared")
    assert (name, removed) == ("shared", c["t2v"]) and removed.listeners == ()
    assert c["parser"].upstream is None
    with pytest.raises(ValueError, match="'tagger' .* 'shared', which is not in the pipeline"):
        nlp("no vectors")
    nlp.remove_pipe("tagger")
    nlp.remove_pipe("parser")
    assert nlp("fine again")[0].text == "fine"
