"""report.html from a hand-written training-log.jsonl: curves, tables, escaping, bad logs; and
the loop keeping the per-label scores in the log."""

import json
import math
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from nlp_train_standin import ToyPipeline, _ids, make_corpus

from nlp_train import known_info, read_log, train, write_report
from nlp_train.charts import Series, line_chart, make_axis

SVG = "{http://www.w3.org/2000/svg}"


def prf(p, r):
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}


def components(*names):
    """The "components" of a log record, as the loop writes them."""
    return [known_info(name).to_dict() for name in names]


def record(epoch, best, tags, **extra):
    scores = {"tag_acc": 70.0 + epoch, "pos_acc": 60.0 + epoch, "morph_acc": 0.0,  # no morphology
              "uas": 50.0 + 2 * epoch,
              "las": 40.0 + 3 * epoch, "ents_p": 30.0, "ents_r": 20.0 + epoch, "ents_f": 25.0,
              "token_acc": 100.0, "wps": 1234.0,
              "tag_per_label": {t: prf(80.0, 70.0 + epoch) for t in tags},
              "dep_per_label": {"nsubj": prf(90.0, 80.0), "obj": prf(50.0, 0.0)},
              "ents_per_type": {"LOC": prf(60.0, 40.0), "PER": prf(10.0, 20.0)},
              "tag_confusions": [["NN", "<b>", 7], ["VB", "NN", 2]], "dep_confusions": [],
              **extra}
    return {"epoch": epoch, "pipeline": ["tagger", "parser", "ner"],
            "components": components("tagger", "parser", "ner"),
            "losses": {"tagger": 10.0 / epoch, "parser": 20.0 / epoch, "ner": 5.0 / epoch},
            "scores": scores, "score": 50.0 + epoch, "best": best}


# the best epoch (2) has the tag "<b>"; the later epochs have other tags
LOG = [record(1, True, ["NN", "VB"]), record(2, True, ["<b>", "NN", "VB"]),
       record(3, False, ["DT"]), record(4, False, ["DT"])]


def write_log(folder, records):
    folder.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    (folder / "training-log.jsonl").write_text("\n".join(lines) + "\n", encoding="utf8")
    return folder


def parse(path):
    return ET.fromstring(path.read_text(encoding="utf8"))


def figures(root):
    return {f.get("data-component"): f for f in root.iter("figure")}


def tables(root):
    """{class: [[cell text, ...] per body row]} of the page's tables."""
    return {t.get("class"): [[td.text for td in tr.iter("td")] for tr in t.find("tbody")]
            for t in root.iter("table")}


def test_report_draws_one_curve_per_score_and_loss(tmp_path):
    path = write_report(write_log(tmp_path / "run", LOG))
    assert path == tmp_path / "run" / "report.html"
    charts = figures(parse(path))
    assert list(charts) == ["Tagger", "Parser", "Entity recognizer", "Tokenization", "Losses"]
    expected = {"Tagger": ["Tag %", "POS %"], "Parser": ["UAS", "LAS"],
                "Entity recognizer": ["NER P", "NER R", "NER F"], "Tokenization": ["Token %"],
                "Losses": ["tagger", "parser", "ner"]}
    for name, figure in charts.items():
        series = list(figure.iter(f"{SVG}g"))
        curves = [g for g in series if g.get("class") == "series"]
        assert [g.get("data-name") for g in curves] == expected[name], name
        for g in curves:
            (polyline,) = g.iter(f"{SVG}polyline")
            assert len(polyline.get("points").split()) == len(LOG)
        # one dashed marker at the best epoch: where the curves' second points are
        (marker,) = [line for line in figure.iter(f"{SVG}line") if line.get("class") == "marker"]
        second_x = curves[0].find(f"{SVG}polyline").get("points").split()[1].split(",")[0]
        assert marker.get("x1") == marker.get("x2") == second_x
        legend = [t.text for g in series if g.get("class") == "legend" for t in g.iter(f"{SVG}text")]
        assert legend == expected[name] + ["best (epoch 2)"]


def test_tables_hold_the_best_epoch_labels_escaped(tmp_path):
    path = write_report(write_log(tmp_path / "run", LOG))
    text = path.read_text(encoding="utf8")
    root = ET.fromstring(text)  # an unescaped <b> would not even parse
    found = tables(root)
    assert [row[0] for row in found["tag_per_label"]] == ["<b>", "NN", "VB"]
    assert found["tag_per_label"][1] == ["NN", "80.00", "72.00", f"{prf(80.0, 72.0)['f']:.2f}"]
    assert [row[0] for row in found["dep_per_label"]] == ["nsubj", "obj"]
    assert [row[0] for row in found["ents_per_type"]] == ["LOC", "PER"]
    assert found["tag_confusions"] == [["NN", "<b>", "7"], ["VB", "NN", "2"]]
    assert "dep_confusions" not in found and "No confusions" in text
    assert dict(found["summary"])["Epoch"] == "2" and dict(found["summary"])["LAS"] == "46.00"
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert not list(root.iter("b")) and not list(root.iter("script"))


def test_page_is_standalone_and_rebuilt_identically(tmp_path):
    path = write_report(write_log(tmp_path / "run", LOG))
    first = path.read_bytes()
    root = ET.fromstring(first)
    assert root.find("head/meta").get("charset") == "utf-8" and root.find("head/style") is not None
    links = [(e.tag, k) for e in root.iter() for k in e.attrib if k in ("src", "href")]
    assert links == [] and b"<script" not in first and b"://" not in first.replace(
        b'xmlns="http://www.w3.org/2000/svg"', b"")
    assert write_report(tmp_path / "run").read_bytes() == first
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["report.html",
                                                                    "training-log.jsonl"]


def test_old_records_without_per_label_scores_still_render(tmp_path):
    old = [{"epoch": e, "losses": {"tagger": 1.0 / e}, "scores": {"tag_acc": 50.0 + e},
            "score": 50.0 + e, "best": True, "components": components("tagger")} for e in (1, 2)]
    root = parse(write_report(write_log(tmp_path / "old", old)))
    assert list(figures(root)) == ["Tagger", "Losses"]
    assert list(tables(root)) == ["summary"]
    notes = [p.text for p in root.iter("p") if p.get("class") == "note"]
    assert notes == ["Per-label tables omitted: epoch 2 was logged without per-label scores "
                     "(by an older version)."]
    # a log mixing old and new records: the tables come from the best epoch, when it has them
    mixed = old + [record(3, True, ["NN"])]
    found = tables(parse(write_report(write_log(tmp_path / "mixed", mixed))))
    assert [row[0] for row in found["tag_per_label"]] == ["NN"]


def test_only_the_logged_pipeline_components_are_shown(tmp_path):
    """The dev gold may hold trees and entities that a tagger-only pipeline is scored on (as 0)."""
    tagger_only = [{**r, "pipeline": ["tagger"], "components": components("tagger")} for r in LOG]
    root = parse(write_report(write_log(tmp_path / "tagger", tagger_only)))
    assert list(figures(root)) == ["Tagger", "Tokenization", "Losses"]
    found = tables(root)
    assert sorted(found) == ["summary", "tag_confusions", "tag_per_label"]
    assert [row[0] for row in found["summary"]] == ["Epoch", "Weighted score", "Tag %", "POS %",
                                                    "Token %"]



def test_a_log_without_component_infos_gets_one_chart_of_its_scores(tmp_path):
    """An older log (no "components"): every numeric dev score but the speed in one chart, and
    every table the scores have."""
    old = [{key: value for key, value in r.items() if key != "components"} for r in LOG]
    root = parse(write_report(write_log(tmp_path / "old", old)))
    charts = figures(root)
    assert list(charts) == ["Dev scores", "Losses"]
    curves = [g.get("data-name") for g in charts["Dev scores"].iter(f"{SVG}g")
              if g.get("class") == "series"]
    assert curves == ["tag_acc", "pos_acc", "uas", "las", "ents_p", "ents_r", "ents_f", "token_acc"]
    assert sorted(tables(root)) == ["dep_per_label", "ents_per_type", "summary", "tag_confusions",
                                    "tag_per_label"]


def test_non_finite_values_are_left_out(tmp_path):
    """Python's json writes NaN: such points are not drawn, and a score never finite has no chart."""
    nan = [{"epoch": e, "losses": {"tagger": math.nan if e == 2 else 1.0}, "best": e == 1,
            "scores": {"tag_acc": 50.0 + e, "uas": math.nan},
            "components": components("tagger", "parser")} for e in (1, 2, 3)]
    root = parse(write_report(write_log(tmp_path / "nan", nan)))
    charts = figures(root)
    assert list(charts) == ["Tagger", "Losses"]
    (polyline,) = charts["Losses"].iter(f"{SVG}polyline")
    assert len(polyline.get("points").split()) == 2
    assert [row[0] for row in tables(root)["summary"]] == ["Epoch", "Tag %"]


@pytest.mark.parametrize("lines, message", [
    ([LOG[0], "{not json"], r"training-log.jsonl:2: invalid JSON \(Expecting property name"),
    (["[1, 2]"], r"training-log.jsonl:1: expected a JSON object per line, got list"),
    ([{"epoch": "one", "scores": {}}], r"training-log.jsonl:1: 'epoch' must be a whole number"),
    ([LOG[0], {"epoch": 2}], r"training-log.jsonl:2: 'scores' must be an object, got NoneType"),
    ([{"epoch": 1, "scores": {"uas": "high"}}], r":1: 'scores.uas' must be a number"),
    ([{"epoch": 1, "scores": {}, "pipeline": "tagger"}], r":1: 'pipeline' must be a list"),
    ([{"epoch": 1, "scores": {"tag_per_label": [1]}}], r":1: 'tag_per_label' must be an object"),
    ([{"epoch": 1, "scores": {"dep_confusions": [["a", "b"]]}}], r":1: 'dep_confusions' must be"),
    ([{"epoch": 1, "scores": {}, "components": [{"title": "x"}]}],
     r":1: 'components': not a component description"),
    ([{"epoch": 1, "scores": {}, "components": "tagger"}], r":1: 'components' must be a list"),
    ([""], r"training-log.jsonl: no epochs logged yet"),
])
def test_bad_logs_name_file_and_line(tmp_path, lines, message):
    folder = write_log(tmp_path / "bad", lines)
    with pytest.raises(ValueError, match=message) as info:
        write_report(folder)
    assert str(folder / "training-log.jsonl") in str(info.value) and "\n" not in str(info.value)
    assert not (folder / "report.html").exists()


def test_missing_log_and_bad_bytes(tmp_path):
    with pytest.raises(FileNotFoundError, match="training log not found"):
        write_report(tmp_path)
    (tmp_path / "training-log.jsonl").write_bytes(json.dumps(LOG[0]).encode() + b"\n\xff\xfe\n")
    with pytest.raises(ValueError, match=r"training-log.jsonl:2: not UTF-8 text"):
        write_report(tmp_path)


def test_chart_axes_and_dropped_points():
    axis = make_axis([0.31, 0.87], 0, 100, 6)
    assert (axis.lo, axis.hi, axis.step) == pytest.approx((0.3, 0.9, 0.1))
    assert [axis.label(v) for v in axis.ticks()] == ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]
    assert make_axis([100.0, 100.0], 0, 100, 6, cap=100.0).hi == 100.0
    svg = ET.fromstring(line_chart([Series("a<", ((1, 2.0), (2, math.nan), (3, 4.0))),
                                    Series("empty", ((1, math.inf),))],
                                   title="t", x_label="epoch", y_label="y"))
    (polyline,) = svg.iter(f"{SVG}polyline")
    assert len(polyline.get("points").split()) == 2 and polyline.find(f"{SVG}title").text == "a<"
    with pytest.raises(ValueError, match="no finite points"):
        line_chart([Series("x", ((1, math.nan),))], title="t", x_label="x", y_label="y")


class DetailedToy(ToyPipeline):
    """The stand-in, evaluating also per tag and the confusions, as nlp-models' Language does."""

    def __init__(self) -> None:
        super().__init__()
        self.evaluations: list[dict] = []

    def evaluate(self, examples):
        scores = super().evaluate(examples)
        gold = [t for ex in examples for t in ex.tags]
        probs = self.tagger.model.predict(_ids([w for ex in examples for w in ex.words]))
        guess = [self.tagger.tags[i] for i in probs.argmax(axis=1)]
        right, n_gold, n_guess = (Counter(g for g, p in zip(gold, guess) if g == p), Counter(gold),
                                  Counter(guess))
        scores["tag_per_label"] = {t: prf(100 * right[t] / n_guess[t] if n_guess[t] else 0.0,
                                          100 * right[t] / n_gold[t] if n_gold[t] else 0.0)
                                   for t in sorted(n_gold | n_guess)}
        confused = Counter((g, p) for g, p in zip(gold, guess) if g != p)
        scores["tag_confusions"] = [[g, p, n] for (g, p), n in confused.most_common(20)]
        self.evaluations.append(scores)
        return scores


def test_the_loop_logs_per_label_scores_through_a_resume(tmp_path):
    opts = {"batch_from": 4, "batch_to": 4, "quiet": True, "seed": 0}
    first = DetailedToy()
    train(first, make_corpus(24, 1), make_corpus(8, 2), tmp_path, n_epochs=2, **opts)
    second = DetailedToy()
    train(second, make_corpus(24, 1), make_corpus(8, 2), tmp_path, n_epochs=3, resume=True, **opts)
    log = read_log(tmp_path)
    evaluated = first.evaluations + second.evaluations
    assert len(log) == len(evaluated) == 3
    for entry, scores in zip(log, evaluated):
        assert entry["scores"]["tag_per_label"] == scores["tag_per_label"]  # JSON keeps every digit
        assert entry["scores"]["tag_confusions"] == scores["tag_confusions"]
    best = next(r for r in reversed(log) if r["best"])
    found = tables(parse(write_report(tmp_path)))
    assert [row[0] for row in found["tag_per_label"]] == list(best["scores"]["tag_per_label"])
