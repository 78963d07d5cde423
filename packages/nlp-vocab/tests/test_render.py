"""nlp_vocab.render: the dependency SVGs and entity markup, read back with the standard library
(xml.etree for the SVG, html.parser for the page) and compared with the docs they show."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from nlp_vocab import Doc, Vocab, render

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(1)</script>"


@pytest.fixture
def vocab():
    return Vocab("en")


def parsed(vocab, ents=True):
    """'New York is big . It rains .': tags, a parse of two sentences, one entity."""
    doc = Doc(vocab, ["New", "York", "is", "big", ".", "It", "rains", "."],
              [True, True, True, False, True, True, False, False],
              tags=["NNP", "NNP", "VBZ", "JJ", ".", "PRP", "VBZ", "."], heads=[1, 2, 2, 2, 2, 6, 6, 6],
              deps=["compound", "nsubj", "ROOT", "acomp", "punct", "nsubj", "ROOT", "punct"],
              ents=["B-GPE", "I-GPE", "O", "O", "O", "O", "O", "O"] if ents else None)
    return doc


def random_tree(vocab, n, seed):
    """A doc of n words and a random (often non-projective) tree: each word attaches to one
    placed before it in a random order, the first placed is the root."""
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)
    heads = [0] * n
    heads[order[0]] = order[0]
    for k, i in enumerate(order[1:], 1):
        heads[i] = rng.choice(order[:k])
    deps = [("ROOT" if heads[i] == i else rng.choice(["nsubj", "obj", "amod", "det"])) for i in range(n)]
    words = [f"w{i}" for i in range(n)]
    return Doc(vocab, words, tags=[rng.choice(["NN", "VB", "JJ"]) for _ in words], heads=heads, deps=deps)


def svgs_of(markup):
    """The <svg> elements of `render(..., page=False)` markup (well-formed XML)."""
    root = ET.fromstring(f"<root>{markup}</root>")
    return root.findall(f".//{SVG}svg")


def arcs_of(svg):
    """(head, child, label, top y) of each arc group of an SVG."""
    arcs = []
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "arc":
            continue
        line = next(p for p in group.iter(f"{SVG}path") if p.get("class") == "arc-line")
        top = float(re.search(r"Q[-\d.]+,([-\d.]+)", line.get("d")).group(1))
        arcs.append((int(group.get("data-head")), int(group.get("data-child")), group.get("data-label"), top))
    return arcs


def spans(svg, cls):
    return [t.text for t in svg.iter(f"{SVG}tspan") if t.get("class") == cls]


class PageReader(HTMLParser):
    """Start tags with their attributes, all text, and each <mark>'s own text, label and score."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.marks, self.decl = [], [], [], None
        self._where = []

    def handle_decl(self, decl):
        self.decl = decl

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "mark":
            self.marks.append({"attrs": attrs, "text": "", "label": "", "score": ""})
        self._where.append(attrs.get("class") if tag == "span" and self._in_mark() else tag)

    def handle_endtag(self, tag):
        self._where.pop()

    def _in_mark(self):
        return "mark" in self._where

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mark():
            part = self._where[-1] if self._where[-1] in ("label", "score") else "text"
            self.marks[-1][part] += data


def read_page(page):
    reader = PageReader()
    reader.feed(page)
    reader.close()
    return reader


def test_dep_one_svg_per_sentence_with_an_arc_per_attached_token(vocab):
    doc = parsed(vocab)
    svgs = svgs_of(render(doc, style="dep", page=False))
    assert len(svgs) == 2  # two sentences
    arcs = [arc for svg in svgs for arc in arcs_of(svg)]
    attached = [t for t in doc if t.head.i != t.i]
    assert len(arcs) == len(attached) == 6
    assert {(h, c, label) for h, c, label, _ in arcs} == {(t.head.i, t.i, t.dep_) for t in attached}
    assert [w for svg in svgs for w in spans(svg, "word-text")] == [t.text for t in doc]
    assert [w for svg in svgs for w in spans(svg, "tag")] == [t.tag_ for t in doc]
    labels = [t.text for svg in svgs for t in svg.iter(f"{SVG}text") if t.get("class") == "label"]
    assert sorted(labels) == sorted(t.dep_ for t in attached)
    first = svgs[0]
    assert first.find(f"{SVG}title").text == "Dependency parse: New York is big."
    assert first.get("role") == "img" and "New York is big." in first.get("aria-label")
    assert all(g.find(f"{SVG}title") is not None for g in first.iter(f"{SVG}g"))


@pytest.mark.parametrize("seed", range(8))
def test_dep_arcs_are_stacked_by_length_without_overlap(vocab, seed):
    doc = random_tree(vocab, 14, seed)
    (svg,) = svgs_of(render(doc, "dep", page=False))
    arcs = arcs_of(svg)
    assert len(arcs) == sum(t.head.i != t.i for t in doc) == 13
    for h1, c1, _, top1 in arcs:
        for h2, c2, _, top2 in arcs:
            (a1, b1), (a2, b2) = sorted((h1, c1)), sorted((h2, c2))
            if (a1, b1) == (a2, b2) or max(a1, a2) >= min(b1, b2):
                continue  # the same arc, or arcs that at most meet at a word
            assert top1 != top2, "overlapping arcs drawn at the same height"
            if a2 <= a1 and b1 <= b2:  # arc 1 inside arc 2: drawn lower (a larger y)
                assert top1 > top2
    height = float(svg.get("height"))
    assert all(0 < top < height for *_, top in arcs)


def test_dep_size_follows_the_words(vocab):
    short, long = (svgs_of(render(random_tree(vocab, n, 1), "dep", page=False))[0] for n in (5, 15))
    assert float(long.get("width")) > 2.5 * float(short.get("width"))
    assert long.get("viewBox") == f"0 0 {long.get('width')} {long.get('height')}"
    wide = Doc(vocab, ["a", "Donaudampfschifffahrtsgesellschaft", "b"])
    (svg,) = svgs_of(render(wide, "dep", page=False))
    xs = [float(t.get("x")) for t in svg.iter(f"{SVG}tspan") if t.get("class") == "word-text"]
    assert xs[1] - xs[0] > 34 * 16 * 0.5 / 2  # the long word's column is widened for it


def test_dep_without_parse_or_tags(vocab):
    doc = Doc(vocab, ["just", "words"], pos=["ADV", None])
    (svg,) = svgs_of(render(doc, "dep", page=False))
    assert arcs_of(svg) == [] and spans(svg, "tag") == ["ADV"]  # pos_ where there is no tag_
    assert spans(svgs_of(render(doc, "dep", page=False, options={"tag": "none"}))[0], "tag") == []
    assert svgs_of(render(Doc(vocab), "dep", page=False)) == []
    # heads that cross the sentence boundaries: the doc is drawn whole, every arc kept
    doc = Doc(vocab, ["a", "b", "c"], heads=[1, 1, 1], deps=["x", "ROOT", "y"], sent_starts=[True, False, True])
    svgs = svgs_of(render(doc, "dep", page=False))
    assert len(svgs) == 1 and len(arcs_of(svgs[0])) == 2


def test_ent_marks_equal_the_entities_with_scores(vocab):
    words = ["Ada", "Lovelace", "met", "Babbage", "in", "Zürich", "\n", "on", "5", "June", "."]
    spaces = [True, True, True, True, True, False, False, True, True, False, False]
    ents = ["B-PER", "I-PER", "O", "B-PER", "O", "B-LOC", "O", "O", "B-DATE", "I-DATE", "O"]
    doc = Doc(vocab, words, spaces, ents=ents)
    doc.user_data["ent_scores"] = {(0, 2, "PER"): 0.934, (5, 6, "LOC"): 1, (3, 4, "ORG"): 0.5}
    page = read_page(render(doc, style="ent"))
    marks = [(m["attrs"]["data-label"], m["text"], m["label"], m["attrs"].get("data-score"), m["score"])
             for m in page.marks]
    assert marks == [("PER", "Ada Lovelace", "PER", "0.93", "0.93"), ("PER", "Babbage", "PER", None, ""),
                     ("LOC", "Zürich", "LOC", "1.00", "1.00"), ("DATE", "5 June", "DATE", None, "")]
    assert [(m[0], m[1]) for m in marks] == [(e.label_, e.text) for e in doc.ents]
    body = read_page(render(doc, style="ent", page=False))
    shown = "".join(body.text)
    for label in ("PER", "LOC", "DATE"):  # drop the label/score spans: the doc's own text is left
        shown = shown.replace(label, "")
    assert re.sub(r"[01]\.\d\d", "", shown) == doc.text  # spaces and the newline kept
    assert all(m["attrs"]["class"] == "entity" for m in page.marks)
    only = read_page(render(doc, "ent", options={"labels": ["LOC"], "colors": {"LOC": "#abcdef"}}))
    assert [m["text"] for m in only.marks] == ["Zürich"] and "#abcdef" in only.marks[0]["attrs"]["style"]


def test_ent_bad_scores_name_the_doc_and_entity(vocab):
    doc = parsed(vocab)
    doc.user_data["ent_scores"] = {(0, 2, "GPE"): 1.5}
    with pytest.raises(ValueError, match=r"doc 1: .*\(0, 2, 'GPE'\).* 1.5 is not a number in \[0, 1\]"):
        render([parsed(vocab), doc], "ent")
    doc.user_data["ent_scores"] = [0.5]
    with pytest.raises(ValueError, match="must be a dict"):
        render(doc, "ent")


def test_everything_is_escaped(vocab):
    doc = Doc(vocab, ["Hi", NASTY, "&", '"q"'], tags=["UH", "<i>", "CC", "''"], heads=[0, 0, 0, 0],
              deps=["ROOT", "<b>dep</b>", "cc", "x"], ents=["O", "B-<em>X</em>", "O", "O"])
    for style in ("dep", "ent"):
        page = render(doc, style)
        reader = read_page(page)
        tags = {tag for tag, _ in reader.tags}
        assert not tags & {"script", "b", "i", "em"}, tags
        assert NASTY in "".join(reader.text)
    (svg,) = svgs_of(render(doc, "dep", page=False))
    assert NASTY in spans(svg, "word-text") and "<i>" in spans(svg, "tag")
    assert "<b>dep</b>" in [label for *_, label, _ in arcs_of(svg)]
    (mark,) = read_page(render(doc, "ent")).marks
    assert mark["text"] == NASTY and mark["label"] == "<em>X</em>" == mark["attrs"]["data-label"]


def test_page_is_standalone_html(vocab):
    for style in ("dep", "ent"):
        page = render([parsed(vocab), parsed(vocab)], style, options={"title": "Ünïcode <title>"})
        reader = read_page(page)
        assert reader.decl.lower() == "doctype html"
        assert ("meta", {"charset": "utf-8"}) in reader.tags
        assert ("html", {"lang": "en"}) in reader.tags
        assert "Ünïcode <title>" in reader.text
        assert not any(tag in ("script", "link", "img", "iframe", "object") for tag, _ in reader.tags)
        for tag, attrs in reader.tags:
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)  # no event handlers
            for name, value in attrs.items():
                if name != "xmlns":  # the SVG namespace name is no resource
                    assert "://" not in (value or "") and "url(" not in (value or ""), (tag, name)
        assert "://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
        markup = render(parsed(vocab), style, page=False)
        assert not markup.startswith("<!DOCTYPE") and markup in render(parsed(vocab), style)


def test_accepts_docs_from_any_iterable_and_checks_arguments(vocab):
    docs = (parsed(vocab) for _ in range(3))
    assert len(svgs_of(render(docs, "dep", page=False))) == 6
    with pytest.raises(TypeError, match="got str"):
        render("New York", "dep")
    with pytest.raises(TypeError, match="item 1 is a int"):
        render([parsed(vocab), 3])
    with pytest.raises(ValueError, match="unknown style 'tree'"):
        render(parsed(vocab), style="tree")
    with pytest.raises(ValueError, match="unknown option 'colors' for style 'dep'"):
        render(parsed(vocab), "dep", options={"colors": {}})
    with pytest.raises(ValueError, match="option 'tag' must be one of"):
        render(parsed(vocab), "dep", options={"tag": "lemma"})
    with pytest.raises(ValueError, match="is not a label and a CSS colour"):
        render(parsed(vocab), "ent", options={"colors": {"GPE": "red;background:url(x)"}})
