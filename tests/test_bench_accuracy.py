"""The accuracy bench (bench/run.py --preset accuracy --vectors) and the ablation table
(bench/ablation.py): our static vectors handed to spaCy as the same table, the sections and
folders each variant writes, the rows an ablation runs and its table, and one real ablation on a
treebank we write. The spaCy config checks run only where spaCy is installed (the bench's
environment)."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

import numpy
import pytest

import nlp_models
from nlp_vocab import Vectors

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import ablation  # noqa: E402
import ours_runner  # noqa: E402
import run as bench_run  # noqa: E402
import shared_vectors  # noqa: E402
from tasks import TASKS  # noqa: E402


def vectors_model(path: Path, words: list[str], rows: list[int], table: numpy.ndarray) -> Path:
    """A model folder of vectors only, as `nlp init-vectors` writes it (keys mapped to rows)."""
    nlp = nlp_models.blank("en")
    vectors = Vectors(data=table)
    for word, row in zip(words, rows):
        vectors.add(word, row=row)
        nlp.vocab.strings.add(word)
    nlp.vocab.vectors = vectors
    nlp.to_disk(path)
    return path


def test_our_vectors_become_a_word2vec_file_of_the_same_table(tmp_path: Path) -> None:
    from nlp_cli.init_vectors import read_vectors

    table = numpy.asarray([[0.1, -2.5, 3.0], [1e-7, 4.25, -0.3333333]], dtype="float32")
    # "houses" was pruned onto the row of "house"; a key with a line break cannot be a line
    model = vectors_model(tmp_path / "vec", ["house", "the", "houses", "new\nline"], [0, 1, 0, 1], table)
    written, skipped = shared_vectors.write_word2vec(model, tmp_path / "vectors.txt")
    assert (written, skipped) == (3, 1)
    assert (tmp_path / "vectors.txt").read_text().splitlines()[0] == "3 3"
    words, data = read_vectors(tmp_path / "vectors.txt")
    assert sorted(words) == ["house", "houses", "the"]
    expected = {"house": table[0], "houses": table[0], "the": table[1]}
    for word, row in zip(words, data):
        assert numpy.array_equal(row, expected[word])  # float32 exactly, not rounded


def test_a_folder_without_vectors_is_refused_in_one_line(tmp_path: Path) -> None:
    nlp_models.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(SystemExit, match="holds no vectors"):
        shared_vectors.write_word2vec(tmp_path / "blank", tmp_path / "vectors.txt")


@pytest.mark.parametrize("preset, peer, vectors, seed, name", [
    (None, None, None, 0, "ewt"), ("efficiency", None, None, 0, "ewt"), ("accuracy", None, None, 0, "ewt-accuracy"),
    ("accuracy", None, "/x/vec", 0, "ewt-accuracy-vectors"), (None, None, "/x/vec", 0, "ewt-vectors"),
    ("accuracy", "efficiency", None, 0, "ewt-accuracy-vs-efficiency"), ("accuracy", "accuracy", None, 0, "ewt-accuracy"),
    ("accuracy", None, None, 1, "ewt-accuracy-seed1"), (None, None, None, 2, "ewt-seed2"),
    ("accuracy", None, "/x/vec", 1, "ewt-accuracy-vectors-pretrained-seed1"),
])
def test_each_variant_has_its_own_section_so_the_efficiency_bench_stays(preset, peer, vectors, seed, name) -> None:
    args = Namespace(preset=preset, peer_preset=peer, vectors=vectors, seed=seed,
                     init_tok2vec="/x/pt/model0.bin" if "pretrained" in name else None)
    assert "ewt" + bench_run.variant(args) == name
    scores = {"tag_acc": 94.0, "uas": 86.0, "las": 83.0, "sents_f": 99.0}
    phase = {"log": [{"seconds": 1.0, "scores": scores}], "train_seconds": 1.0, "train_wps": 1.0,
             "peak_rss_mb": 1.0, "scores": scores, "wps": 1.0, "model_mb": 1.0}
    results = {side: {"train": phase, "annotate": phase} for side in ("ours", "spacy")}
    title = bench_run.variant_title(args) if bench_run.variant(args) else ""
    section = bench_run.task_section(TASKS["ewt"], results, "cmd", head="Measured today.\n", title=title)
    first = section.splitlines()[0]
    if name == "ewt":
        assert first.startswith("## ewt: tagger, parser")
    else:
        assert f"our {preset or 'efficiency'} preset vs spaCy `--optimize {peer or preset or 'efficiency'}`" in first
        assert ("static vectors vec" in first) == bool(vectors)
        assert (f"seed {seed}" in first) == bool(seed)
        assert ("ours from the pretrained tok2vec pt" in first) == ("pretrained" in name)


def test_an_ablation_row_needing_what_is_not_given_is_left_out_with_its_addition() -> None:
    rows = ablation.plan("ewt", {"vectors": None, "tok2vec": "/w/model9.bin"}, {"seed": 0})
    labels = [label for label, _ in rows]
    assert labels[0].startswith("efficiency") and labels[-1] == "accuracy preset as shipped"
    specs = dict(rows)
    assert specs["+ static vectors"] is None
    accuracy = nlp_models.get_preset("accuracy")
    wide = specs[ablation.wider_row(accuracy.tok2vec["depth"]).label]
    assert wide["shared"] == {"preset": "efficiency", "width": accuracy.tok2vec["width"],
                              "depth": accuracy.tok2vec["depth"], "embed_rows": accuracy.tok2vec["embed_rows"]}
    chars = specs[ablation.CHARS_ROW.label]
    assert chars["shared"]["chars"] == accuracy.tok2vec["chars"] and chars["shared"]["width"] == 128  # they accumulate
    # the last addition before the transfer rows has every tok2vec and parser value the preset ships
    climbed = specs[ablation.TAGGER_HEAD_ROW.label]
    efficiency = nlp_models.get_preset("efficiency")
    assert {key: climbed["shared"][key] for key in climbed["shared"] if key != "preset"} == {
        key: value for key, value in accuracy.tok2vec.items()
        if key != "encoder" and efficiency.tok2vec.get(key) != value}
    assert climbed["own"] == {name: dict(accuracy.components[name]) for name in ("tagger", "parser")}
    pretrained = specs["+ pretrained tok2vec (`nlp pretrain`)"]
    assert pretrained["init_tok2vec"] == "/w/model9.bin" and "vectors" not in pretrained
    shipped = specs["accuracy preset as shipped"]
    assert shipped["shared"] == {"preset": "accuracy"} and shipped["init_tok2vec"] == "/w/model9.bin"
    assert shipped["own"] == {"tagger": {"preset": "accuracy"}, "parser": {"preset": "accuracy"}}


def test_the_accuracy_preset_makes_the_benchs_ner_a_crf_ner_as_nlp_train_does() -> None:
    """The bench and its ablation's last row build the preset's factories: under accuracy the
    CoNLL task's "ner" is a `crf_ner` (entities with a confidence), under efficiency the greedy one."""
    for preset, factory in (("efficiency", "ner"), ("accuracy", "crf_ner")):
        nlp = nlp_models.blank("en")
        ours_runner.build_pipeline(TASKS["conll"], nlp, preset)
        assert nlp.pipe_names == ["ner"]
        ner = nlp.get_pipe("ner")
        assert ner.factory == factory and ner.cfg["preset"] == preset
    shipped = dict(ablation.plan("conll", {"vectors": None, "tok2vec": None}, {}))["accuracy preset as shipped"]
    assert shipped["ner"] == "crf_ner" and shipped["own"] == {"crf_ner": {"preset": "accuracy", "own": True}}


def test_the_ablations_last_row_builds_the_pipeline_the_bench_trains() -> None:
    """The row "accuracy preset as shipped" is the bench's pipeline: a lone crf_ner keeps its own
    tok2vec of the preset's NER depth (it once read a shared tok2vec of the taggers' depth 6)."""
    import probe_epochs

    for task in ("conll", "ewt"):
        shipped = dict(ablation.plan(task, {"vectors": None, "tok2vec": None}, {}))["accuracy preset as shipped"]
        probe = probe_epochs.build(task, shipped)
        bench = nlp_models.blank("en")
        ours_runner.build_pipeline(TASKS[task], bench, "accuracy")
        def built(nlp):
            keys = ("tok2vec", "depth", "width", "chars")
            return [(pipe.factory, {key: pipe.cfg.get(key) for key in keys}) for _, pipe in nlp.pipeline]

        assert built(probe) == built(bench)


def test_every_task_has_a_ladder_from_efficiency() -> None:
    assert set(ablation.LADDERS) == set(TASKS)
    for task in TASKS:
        rows = ablation.plan(task, {"vectors": "/v", "tok2vec": "/t"}, {})
        assert all(spec is not None for _, spec in rows)
        assert rows[-2][1]["vectors"] == "/v" and rows[-2][1]["init_tok2vec"] == "/t"


def test_the_ablation_table_shows_each_change_from_the_row_that_ran_before() -> None:
    results = [("efficiency", {"tag_acc": 93.0, "uas": 85.0, "las": 81.0}),
               ("+ static vectors", None),
               ("+ chars", {"tag_acc": 94.0, "uas": 86.0, "las": 82.5})]
    lines = ablation.table("ewt", 5, results).splitlines()
    assert lines[0] == "| ewt, 5 epochs | tag_acc | uas | las | main | change |"
    assert lines[2] == "| efficiency | 93.00 | 85.00 | 81.00 | 87.00 | - |"
    assert lines[3].startswith("| + static vectors (left out: not given) | - |")
    assert lines[4] == "| + chars | 94.00 | 86.00 | 82.50 | 88.25 | +1.25 |"


TRAIN = """# sent_id = {i}
1	Dogs	dog	NOUN	NNS	_	2	nsubj	_	_
2	bark	bark	VERB	VBP	_	0	root	_	_
3	loudly	loudly	ADV	RB	_	2	advmod	_	SpaceAfter=No
4	.	.	PUNCT	.	_	2	punct	_	_

# sent_id = {j}
1	Cats	cat	NOUN	NNS	_	2	nsubj	_	_
2	sleep	sleep	VERB	VBP	_	0	root	_	SpaceAfter=No
3	.	.	PUNCT	.	_	2	punct	_	_

"""


def test_an_ablation_trains_each_row_and_tables_its_dev_scores(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data" / "ud-en-ewt"
    data.mkdir(parents=True)
    (data / "ewt-train.conllu").write_text("".join(TRAIN.format(i=2 * k, j=2 * k + 1) for k in range(4)))
    (data / "ewt-dev.conllu").write_text(TRAIN.format(i=0, j=1))
    monkeypatch.setenv("NLP_SHARED_DATA", str(tmp_path / "data"))  # read by each probe's process
    rows = ablation.plan("ewt", {"vectors": None, "tok2vec": None}, {"seed": 0})[:2]
    results = ablation.run_rows("ewt", rows, 2, tmp_path / "out")
    for _label, scores in results:
        assert set(scores) >= {"tag_acc", "uas", "las"} and 0.0 <= scores["las"] <= 100.0
    record = json.loads((tmp_path / "out" / "row2" / "probe.json").read_text())
    assert len(record["history"]) == 2 and record["spec"]["shared"]["width"] == 128
    text = ablation.table("ewt", 2, results)
    assert text.count("\n") == 4 and f"| {rows[1][0]} |" in text


def test_spacy_accuracy_config_reads_static_vectors_only_when_given(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    import spacy_runner

    for name in TASKS:
        task = TASKS[name]
        plain = spacy_runner.build_config(task, tmp_path / "t", tmp_path / "d", 0, "accuracy")
        assert plain["paths"]["vectors"] is None
        assert plain["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] is False
        assert plain["components"]["tok2vec"]["model"]["encode"]["width"] == 256
        read = spacy_runner.build_config(task, tmp_path / "t", tmp_path / "d", 0, "accuracy", tmp_path / "v")
        assert read["paths"]["vectors"] == str(tmp_path / "v")
        assert read["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] is True
        efficiency = spacy_runner.build_config(task, tmp_path / "t", tmp_path / "d", 0)
        assert "include_static_vectors = true" not in efficiency.to_str()
    imdb = spacy_runner.build_config(TASKS["imdb"], tmp_path / "t", tmp_path / "d", 0, "accuracy")
    assert imdb["components"]["textcat"]["model"]["linear_model"]["exclusive_classes"] is True


def test_spacy_reads_the_converted_vectors_by_norm(tmp_path: Path) -> None:
    spacy_lib = pytest.importorskip("spacy")
    table = numpy.asarray([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    model = vectors_model(tmp_path / "vec", ["house", "the"], [0, 1], table)
    folder = shared_vectors.vectors_for_spacy(model, "en", tmp_path)
    nlp = spacy_lib.load(folder)
    doc = nlp("The HOUSE")
    assert [list(token.vector) for token in doc] == [[3.0, 4.0], [1.0, 2.0]]
    nlp.to_disk(tmp_path / "saved")  # spaCy 3.8 forgets the attribute here ...
    shared_vectors.keep_key_attr(tmp_path / "saved")  # ... and the runner writes it back
    assert spacy_lib.load(tmp_path / "saved")("HOUSE")[0].has_vector


def test_a_bench_run_converts_each_vectors_folder_once_per_language(tmp_path: Path, monkeypatch) -> None:
    model = vectors_model(tmp_path / "vec", ["house"], [0], numpy.ones((1, 2), dtype="float32"))
    commands = []

    def spacy_init_vectors(cmd, check):  # stands in for `spacy init vectors LANG FILE OUT`
        commands.append(cmd[5])
        (Path(cmd[7]) / "vocab").mkdir(parents=True)

    monkeypatch.setattr(shared_vectors.subprocess, "run", spacy_init_vectors)
    monkeypatch.setattr(shared_vectors, "keep_key_attr", lambda folder: None)
    assert shared_vectors.vectors_for_spacy(model, "en", tmp_path / "a") == tmp_path / "a" / "spacy-vectors"
    shared_vectors.vectors_for_spacy(model, "en", tmp_path / "b")
    assert len(commands) == 2  # outside a bench run: each task converts
    args = Namespace(vectors=str(model), report_only=False, out=str(tmp_path / "out"))
    with bench_run.vectors_cache(args):
        folders = [shared_vectors.vectors_for_spacy(model, lang, tmp_path / task)
                   for task, lang in (("ewt", "en"), ("conll", "en"), ("ud-fi", "fi"))]
        assert folders[0] == folders[1] != folders[2] and all(folder.is_dir() for folder in folders)
    assert commands[2:] == ["en", "fi"] and not (tmp_path / "ewt").exists()
    assert list((tmp_path / "out").iterdir()) == []  # the run's conversions are removed at its end


def test_model_selection_scores_the_same_dev_subset_on_both_sides() -> None:
    # IMDB dev is ordered pos then neg: every 25th review keeps both classes; small splits stay whole.
    reviews = ["pos"] * 2500 + ["neg"] * 2500
    chosen = TASKS["imdb"].selection(reviews)
    assert len(chosen) == 200 and chosen.count("pos") == chosen.count("neg") == 100
    assert TASKS["ewt"].selection(list(range(7))) == list(range(7))


def test_the_reported_versions_are_the_running_codes():
    """A section's Versions line names the version of the code that ran (an editable install's
    metadata keeps the version it was installed at)."""
    import nlp_gold.about
    import nlp_models.about

    line = bench_run.versions()
    assert f"nlp-gold {nlp_gold.about.__version__}," in line
    assert f"nlp-models {nlp_models.about.__version__}," in line
    assert bench_run.package_version("no-such-distribution") is None


def test_a_probe_optimizer_halves_its_learning_rate_every_half_life_updates():
    import probe_epochs

    optimizer = probe_epochs.probe_optimizer({"learn_rate_half_life": 2, "L2": 0.01, "L2_is_weight_decay": True})
    rates = [optimizer.learn_rate]  # the first update's rate; the loop steps after each update
    for _ in range(4):
        optimizer.step_schedules()
        rates.append(optimizer.learn_rate)
    assert rates == pytest.approx([0.001, 0.001 * 0.5 ** 0.5, 0.0005, 0.001 * 0.5 ** 1.5, 0.00025])
    assert optimizer.L2 == 0.01 and optimizer.L2_is_weight_decay
    assert probe_epochs.probe_optimizer({}).learn_rate == 0.001


def test_speed_rounds_alternate_and_pair_the_ratios(monkeypatch, tmp_path):
    """bench/speed_rounds.py: the first system alternates between rounds, each round's ratio
    pairs that round's two figures, and the summary gives their median and the best rounds."""
    import speed_rounds

    figures = {"ours": iter([100.0, 90.0, 120.0]), "spacy": iter([50.0, 100.0, 60.0])}
    calls = []

    def fake_measure(system, task, run_dir):
        calls.append(system)
        return {"wps": next(figures[system])}

    monkeypatch.setattr(speed_rounds, "measure", fake_measure)
    results = speed_rounds.rounds(tmp_path, "ewt", 3)
    assert calls == ["ours", "spacy", "spacy", "ours", "ours", "spacy"]
    assert [r["ratio"] for r in results] == [2.0, 0.9, 2.0]
    summary = speed_rounds.summary(results)
    assert summary["median_ratio"] == 2.0
    assert (summary["min_ratio"], summary["max_ratio"]) == (0.9, 2.0)
    assert (summary["best_ours"], summary["best_spacy"]) == (120.0, 100.0)
    assert summary["best_ratio"] == 1.2

    scores = {"tag_acc": 94.0, "uas": 86.0, "las": 83.0, "sents_f": 99.0}
    phase = {"log": [{"seconds": 1.0, "scores": scores}], "train_seconds": 1.0, "train_wps": 1.0,
             "peak_rss_mb": 1.0, "scores": scores, "wps": 1.0, "model_mb": 1.0}
    runs = {side: {"train": phase, "annotate": phase} for side in ("ours", "spacy")}
    plain = bench_run.task_section(TASKS["ewt"], runs, "cmd", head="Measured today.\n")
    assert "alternating rounds" not in plain
    record = {"rounds": results, **summary}
    section = bench_run.task_section(TASKS["ewt"], {**runs, "speed_rounds": record}, "cmd", head="Measured today.\n")
    assert "3 alternating rounds" in section
    assert "paired ratios 2.00x, 0.90x, 2.00x; median 2.00x; best rounds 120 (ours) against 100 (spaCy)" in section
