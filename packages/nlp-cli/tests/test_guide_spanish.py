"""The guide's Spanish commands, verbatim with our names, on a small treebank shaped like
UD_Spanish-AnCora (no XPOS, multiword tokens `al` = `a` + `el` and `del` = `de` + `el`, no entities):

    mkdir ancora-json
    nlp convert UD_Spanish-AnCora/es_ancora-ud-train.conllu ancora-json
    nlp convert UD_Spanish-AnCora/es_ancora-ud-dev.conllu ancora-json
    mkdir models
    nlp train es models ancora-json/es_ancora-ud-train.json ancora-json/es_ancora-ud-dev.json

The tagger learns UPOS (the tag where XPOS is `_`), the parser learns the trees, and the default
pipeline skips NER, which has nothing to learn, with one warning that `nlp debug-data` repeats.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from types import SimpleNamespace

import pytest

SUBJECTS = [("El", "perro", "Masc"), ("La", "niña", "Fem"), ("El", "maestro", "Masc"), ("La", "vecina", "Fem")]
NAMES = ["Lucía", "Pablo", "Marta", "Jorge", "Elena"]
VERBS = [("camina", "caminar"), ("vuelve", "volver"), ("corre", "correr"), ("llega", "llegar")]
PLACES = ["mercado", "parque", "puerto", "museo"]  # masculine: "a el" is written "al"
OWNERS = [("pueblo", "Masc"), ("barrio", "Masc"), ("ciudad", "Fem"), ("playa", "Fem")]  # "del" or "de la"
ART = "Definite=Def|Gender={}|Number=Sing|PronType=Art"
NOUN = "Gender={}|Number=Sing"
VERB = "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin"
PREP = "AdpType=Prep"
#: What the tagger must learn: the UPOS of each word of a sentence (the tag, as XPOS is `_`).
UPOS = ["DET", "NOUN", "ADP", "PROPN", "VERB", "ADP", "DET", "NOUN", "ADP", "DET", "NOUN", "PUNCT"]


def ancora_sentence(rng: random.Random) -> tuple[list[tuple[str, str, str, str, int, str]], dict[int, str]]:
    """Rows (form, lemma, UPOS, FEATS, head (1-based, 0 root), deprel) of "DET NOUN de NAME VERB al
    PLACE del/de la OWNER ." and its multiword tokens {first word id: surface form}."""
    art, noun, gender = rng.choice(SUBJECTS)
    verb, verb_lemma = rng.choice(VERBS)
    owner, owner_gender = rng.choice(OWNERS)
    name, place = rng.choice(NAMES), rng.choice(PLACES)
    rows = [
        (art, "el", "DET", ART.format(gender), 2, "det"),
        (noun, noun, "NOUN", NOUN.format(gender), 5, "nsubj"),
        ("de", "de", "ADP", PREP, 4, "case"),
        (name, name, "PROPN", "_", 2, "nmod"),
        (verb, verb_lemma, "VERB", VERB, 0, "root"),
        ("a", "a", "ADP", PREP, 8, "case"),
        ("el", "el", "DET", ART.format("Masc"), 8, "det"),
        (place, place, "NOUN", NOUN.format("Masc"), 5, "obl"),
        ("de", "de", "ADP", PREP, 11, "case"),
        ("el" if owner_gender == "Masc" else "la", "el", "DET", ART.format(owner_gender), 11, "det"),
        (owner, owner, "NOUN", NOUN.format(owner_gender), 8, "nmod"),
        (".", ".", "PUNCT", "PunctType=Peri", 5, "punct"),
    ]
    mwts = {6: "al"} if owner_gender == "Fem" else {6: "al", 9: "del"}
    return rows, mwts


def write_ancora(path: Path, n: int, seed: int) -> Path:
    """`n` sentences in UD_Spanish-AnCora's layout: `# sent_id`/`# text`, range lines for the
    contractions, XPOS and DEPS `_`, `SpaceAfter=No` before the final stop."""
    rng = random.Random(seed)
    lines = []
    for k in range(n):
        rows, mwts = ancora_sentence(rng)
        forms = [row[0] for row in rows]
        for first, surface in sorted(mwts.items(), reverse=True):
            forms[first - 1 : first + 1] = [surface]
        lines += [f"# sent_id = {path.stem}-{k + 1}", f"# text = {' '.join(forms[:-1])}."]
        for i, (form, lemma, upos, feats, head, dep) in enumerate(rows, 1):
            if i in mwts:
                lines.append("\t".join([f"{i}-{i + 1}", mwts[i]] + ["_"] * 8))
            misc = "SpaceAfter=No" if i == len(rows) - 1 else "_"
            lines.append("\t".join([str(i), form, lemma, upos, "_", feats, str(head), dep, "_", misc]))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


TRAIN = "ancora-json/es_ancora-ud-train.json"
DEV = "ancora-json/es_ancora-ud-dev.json"
SKIP_NER = f"⚠ ner: the training data ({TRAIN}) has no entities; skipping it (name it with -p to make this an error)"


@pytest.fixture(scope="module")
def guide(tmp_path_factory, nlp_cmd, cli) -> SimpleNamespace:
    """The guide's commands run verbatim in a folder holding UD_Spanish-AnCora/ (with a short -n
    and tiny networks); `run(*args)` runs more commands there."""
    root = tmp_path_factory.mktemp("guide")
    treebank = root / "UD_Spanish-AnCora"
    treebank.mkdir()
    write_ancora(treebank / "es_ancora-ud-train.conllu", 48, seed=1)
    write_ancora(treebank / "es_ancora-ud-dev.conllu", 12, seed=2)

    def run(*args: object, ok: bool = True):
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(root)
            return cli.run(nlp_cmd, *args, ok=ok)

    (root / "ancora-json").mkdir()
    converted = [run("convert", "UD_Spanish-AnCora/es_ancora-ud-train.conllu", "ancora-json"),
                 run("convert", "UD_Spanish-AnCora/es_ancora-ud-dev.conllu", "ancora-json")]
    (root / "models").mkdir()
    trained = run("train", "es", "models", TRAIN, DEV, "-n", "4", *cli.tiny)
    return SimpleNamespace(root=root, run=run, converted=converted, trained=trained)


def test_convert_writes_upos_tags_and_the_words_of_contractions(guide):
    assert "✔ Converted 48 sentences (576 words, 0 entities)" in guide.converted[0].stdout
    assert sorted(p.name for p in (guide.root / "ancora-json").iterdir()) == ["es_ancora-ud-dev.json",
                                                                              "es_ancora-ud-train.json"]
    docs = json.loads((guide.root / TRAIN).read_text(encoding="utf8"))
    for doc in docs:
        para = doc["paragraphs"][0]
        tokens = para["sentences"][0]["tokens"]
        assert [t["tag"] for t in tokens] == UPOS  # XPOS is `_`: the tag is the UPOS
        words = [t["orth"] for t in tokens]
        assert words[5:7] == ["a", "el"] and "al" not in words and "del" not in words
        ranges = para["multiword_tokens"]  # the contractions, in the real text
        assert ranges[0] == [5, 6, "al"] and ranges[1:] in ([], [[8, 9, "del"]])
        for first, last, surface in reversed(ranges):
            words[first : last + 1] = [surface]
        assert para["raw"] == " ".join(words[:-1]) + "."
        assert "ner" not in tokens[0]


def test_train_skips_ner_with_one_warning_and_learns_tags_and_trees(guide):
    import nlp_models

    out = guide.trained.stdout
    assert [line for line in out.splitlines() if line.startswith("⚠")] == [SKIP_NER]
    assert "NER" not in out.split(SKIP_NER)[1]  # no NER columns in the table
    nlp = nlp_models.load(guide.root / "models" / "model-final")
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser"] and nlp.lang == "es"  # the efficiency preset's
    assert set(nlp.get_pipe("tagger").labels) == set(UPOS)
    rows, _ = ancora_sentence(random.Random(7))
    doc = nlp(" ".join(row[0] for row in rows[:-1]) + ".")
    assert [t.text for t in doc] == [row[0] for row in rows]
    tags_right = sum(t.tag_ == upos for t, upos in zip(doc, UPOS))
    heads_right = sum(t.head.i == (row[4] - 1 if row[4] else t.i) for t, row in zip(doc, rows))
    assert tags_right >= 11 and heads_right >= 10, ([t.tag_ for t in doc], [t.head.i for t in doc])
    assert [t.dep_ for t in doc if t.head.i == t.i] == ["root"]


def test_debug_data_reports_the_same_decision(guide):
    proc = guide.run("debug-data", "es", TRAIN, DEV)
    assert [line for line in proc.stdout.splitlines() if line.startswith("⚠")] == [SKIP_NER]
    assert "✘ 0 errors" in proc.stdout and "tagger: 6 tags in train" in proc.stdout


def test_naming_ner_with_p_makes_it_an_error_in_both_commands(guide):
    error = (f"✘ -p ner: the training data ({TRAIN}) has no entities: nothing to train the ner on (add that "
             "annotation, or leave ner out of -p)")
    train = guide.run("train", "es", "other-models", TRAIN, DEV, "-p", "tagger,ner", "-n", "1", ok=False)
    assert train.returncode == 1 and train.stderr.strip() == error
    assert not (guide.root / "other-models").exists()
    debug = guide.run("debug-data", "es", TRAIN, DEV, "-p", "tagger,ner", ok=False)
    assert debug.returncode == 1 and error in debug.stdout.splitlines()


def test_data_with_no_annotation_at_all_has_nothing_to_train(guide):
    words = "".join(f"{i}\t{word}\t_\t_\t_\t_\t_\t_\t_\t_\n" for i, word in enumerate(["hola", "mundo"], 1))
    (guide.root / "words.conllu").write_text(f"{words}\n{words}\n", encoding="utf8")  # words, nothing else
    skipped = [f"⚠ {name}: the training data (words.conllu) has no {what}; skipping it (name it with -p to make "
               "this an error)" for name, what in (("tagger", "tags"), ("parser", "dependency arcs"),
                                                   ("ner", "entities"))]
    last = ("the training data (words.conllu) has no annotation for any of tagger, parser, ner: nothing to train "
            "(name the components its annotation is for with -p)")
    train = guide.run("train", "es", "none", "words.conllu", "words.conllu", ok=False)
    assert train.returncode == 1 and train.stderr.strip() == f"✘ {last}"
    assert [line for line in train.stdout.splitlines() if line.startswith("⚠")] == skipped
    debug = guide.run("debug-data", "es", "words.conllu", "words.conllu", ok=False)
    assert debug.returncode == 1
    about = [line for line in debug.stdout.splitlines() if "the training data (words.conllu)" in line]
    assert about == [*skipped, f"✘ {last}"]
