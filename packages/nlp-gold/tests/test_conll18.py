"""The CoNLL 2018 shared task's metrics on raw-text output: tokens, sentences and words aligned over
the characters, then tags, lemmas and attachments over the aligned words (figures hand-computed)."""

import copy

import pytest

from nlp_gold import (
    CONLL18_METRICS,
    AlignmentError,
    GoldError,
    conll18_score_files,
    conll18_scores,
    read_conllu,
)

#: "I don't see the cats ." with "don't" = do + n't; content words: I, n't, see, cats.
ENGLISH = """\
1 I I PRON PRP Case=Nom|Number=Sing|Person=1|PronType=Prs 4 nsubj
2-3 don't
2 do do AUX VBP Mood=Ind|Tense=Pres|VerbForm=Fin 4 aux
3 n't not PART RB Polarity=Neg 4 advmod
4 see see VERB VB VerbForm=Inf 0 root
5 the the DET DT Definite=Def|PronType=Art 6 det
6 cats cat NOUN NNS Number=Plur 4 obj
7 . . PUNCT . _ 4 punct
"""
#: The same with "don't" one word of its own.
ENGLISH_WHOLE = """\
1 I I PRON PRP Case=Nom|Number=Sing|Person=1|PronType=Prs 3 nsubj
2 don't do AUX VBP _ 3 aux
3 see see VERB VB VerbForm=Inf 0 root
4 the the DET DT Definite=Def|PronType=Art 5 det
5 cats cat NOUN NNS Number=Plur 3 obj
6 . . PUNCT . _ 3 punct
"""
#: "She sleeps ." with an unknown ("_") lemma on "sleeps".
SHORT = """\
1 She she PRON PRP Case=Nom|Gender=Fem|Number=Sing|Person=3|PronType=Prs 2 nsubj
2 sleeps _ VERB VBZ Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin 0 root
3 . . PUNCT . _ 2 punct
"""
#: Spanish "Voy al cine ." with "al" = a + el, which do not spell "al"; no XPOS.
SPANISH = """\
1 Voy ir VERB _ Mood=Ind|Number=Sing|Person=1|Tense=Pres|VerbForm=Fin 0 root
2-3 al
2 a a ADP _ _ 4 case
3 el el DET _ Definite=Def|Gender=Masc|Number=Sing|PronType=Art 4 det
4 cine cine NOUN _ Gender=Masc|Number=Sing 1 obl
5 . . PUNCT _ _ 1 punct
"""


def conllu_text(*sentences: str) -> str:
    """CoNLL-U from sentences written with spaces between columns ("_" fills the missing ones)."""
    blocks = []
    for sentence in sentences:
        rows = []
        for line in sentence.splitlines():
            cols = line.split()
            rows.append("\t".join(cols + ["_"] * (10 - len(cols))))
        blocks.append("\n".join(rows) + "\n")
    return "\n".join(blocks) + "\n"


@pytest.fixture
def write(tmp_path):
    def write(name: str, *sentences: str):
        path = tmp_path / name
        path.write_text(conllu_text(*sentences), encoding="utf8")
        return path
    return write


@pytest.fixture
def read(write):
    """Sentences as the reader yields them for raw-text scoring (multiword tokens kept)."""
    def read(*sentences: str) -> list[dict]:
        return list(read_conllu(write("sents.conllu", *sentences), multiword_tokens=True))
    return read


def with_values(sentences: list[dict], **changes) -> list[dict]:
    """A copy of `sentences` with values changed: key=(sentence, word, value) or a list of those."""
    out = copy.deepcopy(sentences)
    for key, edits in changes.items():
        for s, w, value in edits if isinstance(edits, list) else [edits]:
            out[s][key][w] = value
    return out


def plain(words, heads=None, pos=None, sent_words=None) -> list[dict]:
    """Sentences of plain words (one token each), split after the counts in `sent_words`."""
    sizes = sent_words or [len(words)]
    out, start = [], 0
    for size in sizes:
        sent = {"words": words[start:start + size]}
        if heads is not None:
            sent["heads"] = heads[start:start + size]
        if pos is not None:
            sent["pos"] = pos[start:start + size]
        out.append(sent)
        start += size
    return out


def f1(scores: dict, metric: str) -> float:
    return scores[metric]["f"]


def test_identical_input_scores_100_everywhere(write):
    path = write("gold.conllu", ENGLISH, SHORT, SPANISH)
    scores = conll18_score_files(path, path)
    for metric in CONLL18_METRICS:
        assert scores[metric] == {"p": 100.0, "r": 100.0, "f": 100.0}, metric
        assert scores[f"conll18_{metric.lower()}"] == 100.0
    assert {"conll18_las", "conll18_ufeats", "conll18_alltags", "conll18_blex"} <= set(scores)


def test_the_reader_keeps_multiword_ranges_only_when_asked(write):
    path = write("gold.conllu", ENGLISH, SHORT, SPANISH)
    default = list(read_conllu(path))
    ranged = list(read_conllu(path, multiword_tokens=True))
    assert all("multiword_tokens" not in sent for sent in default)
    assert [sent.pop("multiword_tokens") for sent in ranged] == [[(1, 2, "don't")], [], [(1, 2, "al")]]
    assert ranged == default


def test_a_split_token_costs_tokens_words_and_what_sits_on_them():
    gold = plain(["She", "cannot", "go", "home", "."], heads=[2, 2, 2, 2, 2],
                 pos=["PRON", "AUX", "VERB", "ADV", "PUNCT"])
    system = plain(["She", "can", "not", "go", "home", "."], heads=[3, 3, 3, 3, 3, 3],
                   pos=["PRON", "AUX", "PART", "VERB", "ADV", "PUNCT"])
    scores = conll18_scores(gold, system)
    # 4 of the 6 system tokens are gold tokens (She, go, home, .); gold has 5.
    for metric in ("Tokens", "Words", "UPOS", "UAS"):
        assert scores[metric]["p"] == pytest.approx(400 / 6), metric
        assert scores[metric]["r"] == pytest.approx(80.0), metric
        assert f1(scores, metric) == pytest.approx(200 * 4 / 11), metric
    assert f1(scores, "Sentences") == 100.0


def test_a_merged_token_with_a_space_inside_counts_once():
    gold = plain(["New", "York", "is", "big", "."])
    system = plain(["New York", "is", "big", "."])  # whitespace inside a form is ignored
    scores = conll18_scores(gold, system)
    assert scores["Tokens"] == pytest.approx({"p": 75.0, "r": 60.0, "f": 200 * 3 / 9})
    assert scores["Words"] == scores["Tokens"]


def test_a_wrong_sentence_boundary_lowers_sentences_only():
    words = ["A", "b", ".", "C", "d", ".", "E", "f", "."]
    gold = plain(words, heads=[1, 1, 1, 1, 1, 1, 1, 1, 1], sent_words=[3, 3, 3])
    # The system runs the last two sentences together and hangs "f" (a root) from "d".
    system = plain(words, heads=[1, 1, 1, 1, 1, 1, 4, 1, 4], sent_words=[3, 6])
    scores = conll18_scores(gold, system)
    assert scores["Sentences"] == pytest.approx({"p": 50.0, "r": 100 / 3, "f": 40.0})
    assert f1(scores, "Tokens") == f1(scores, "Words") == 100.0
    assert f1(scores, "UAS") == pytest.approx(800 / 9)


def test_a_wrong_label_lowers_las_not_uas_and_subtypes_are_ignored(read):
    gold = read(ENGLISH)
    system = with_values(gold, deps=[(0, 5, "iobj"), (0, 0, "nsubj:pass")])
    scores = conll18_scores(gold, system)
    assert f1(scores, "UAS") == 100.0
    assert f1(scores, "LAS") == pytest.approx(600 / 7)
    for metric in ("CLAS", "MLAS", "BLEX"):  # "cats" is one of 4 content words
        assert f1(scores, metric) == pytest.approx(75.0), metric


def test_clas_leaves_function_words_out_and_mlas_checks_them(read):
    gold = read(ENGLISH)
    # "the" (det) hangs from "see" instead of "cats": cats loses a functional child, see gains one.
    scores = conll18_scores(gold, with_values(gold, heads=(0, 4, 3)))
    assert f1(scores, "UAS") == f1(scores, "LAS") == pytest.approx(600 / 7)
    assert f1(scores, "CLAS") == f1(scores, "BLEX") == 100.0
    assert f1(scores, "MLAS") == pytest.approx(50.0)
    # "cats" (obj, content) hangs from "I": a content word's error counts for CLAS too.
    scores = conll18_scores(gold, with_values(gold, heads=(0, 5, 0)))
    assert f1(scores, "LAS") == pytest.approx(600 / 7)
    assert f1(scores, "CLAS") == f1(scores, "MLAS") == f1(scores, "BLEX") == pytest.approx(75.0)


def test_english_dont_as_one_multiword_token(read):
    gold = read(ENGLISH)
    # Without the range line, "do" and "n't" are two tokens: 5 of 7 system tokens are gold's 6
    # tokens, but the words still align inside the gold multiword token.
    unranged = with_values(gold)
    unranged[0]["multiword_tokens"] = []
    scores = conll18_scores(gold, unranged)
    assert scores["Tokens"] == pytest.approx({"p": 500 / 7, "r": 500 / 6, "f": 1000 / 13})
    for metric in CONLL18_METRICS[2:]:
        assert f1(scores, metric) == 100.0, metric
    # One word "don't" for the gold's two: right token, but no word of it aligns.
    whole = read(ENGLISH_WHOLE)
    assert whole[0]["words"] == ["I", "don't", "see", "the", "cats", "."]
    scores = conll18_scores(gold, whole)
    assert f1(scores, "Tokens") == 100.0
    assert scores["Words"] == pytest.approx({"p": 500 / 6, "r": 500 / 7, "f": 1000 / 13})
    assert f1(scores, "LAS") == pytest.approx(1000 / 13)


def test_spanish_al_as_a_plus_el(read):
    gold = read(SPANISH)
    assert gold[0]["words"] == ["Voy", "a", "el", "cine", "."]
    # "el" tagged PRON: UPOS 4 of 5; "cine" (content) has "el" as a functional child: MLAS 1 of 2.
    scores = conll18_scores(gold, with_values(gold, pos=(0, 2, "PRON")))
    assert f1(scores, "UPOS") == f1(scores, "AllTags") == pytest.approx(80.0)
    assert f1(scores, "UFeats") == f1(scores, "CLAS") == f1(scores, "Tokens") == 100.0
    assert f1(scores, "MLAS") == pytest.approx(50.0)
    # "al" left whole: the token is right, its words are not.
    scores = conll18_scores(gold, plain(["Voy", "al", "cine", "."]))
    assert f1(scores, "Tokens") == 100.0
    assert scores["Words"] == pytest.approx({"p": 75.0, "r": 60.0, "f": 200 * 3 / 9})


def test_words_spelled_apart_without_their_range_do_not_match_the_text(read, write):
    gold = read(SPANISH)
    spelled = list(read_conllu(write("plain.conllu", SPANISH)))  # "a" + "el" as tokens: "aelcine"
    with pytest.raises(AlignmentError) as err:
        conll18_scores(gold, spelled)
    message = str(err.value)
    assert "\n" not in message
    assert "non-space character 4 " in message and "gold sentence 1 (line 1)" in message
    assert "'Voyalcine.' vs system 'Voyaelcine.'" in message


def test_differing_files_name_the_offset_the_files_and_lines(write):
    gold = write("gold.conllu", SHORT, ENGLISH)
    system = write("system.conllu", SHORT, ENGLISH.replace("6 cats cat", "6 cat cat"))
    # "Shesleeps." is 10 characters, "Idon'tseethecat" 15 more: the texts part at "s" vs ".".
    with pytest.raises(AlignmentError, match=r"non-space character 25 ") as err:
        conll18_score_files(gold, system)
    assert f"{gold} sentence 2 (line 5)" in str(err.value)
    assert f"{system} sentence 2 (line 5)" in str(err.value)


@pytest.mark.parametrize("gold,system,aligned", [
    (["abc=a+b+c"], ["a", "b", "c"], 3),
    (["a", "bc=b+c", "d"], ["a", "b", "c", "d"], 4),
    (["abcd=a+b+c+d"], ["ab=a+b", "cd=c+d"], 4),
    (["abc=a+b+c", "de=d+e"], ["a", "bcd=b+c+d", "e"], 5),
    (["abcd"], ["a", "b", "c", "d"], 0),
    (["abc", "d"], ["a", "b", "c", "d"], 1),
    (["a", "bc=b+c", "d"], ["a", "b", "cd"], 2),
    (["abc=a+BX+c", "def=d+EX+f"], ["ab=a+b", "cd=c+d", "ef=e+f"], 4),
    (["ab=a+b", "cd=bc+d"], ["a", "bc", "d"], 2),
    (["a", "bc=b+c", "d"], ["ab=AX+BX", "cd=CX+a"], 1),
    (["Don't=DO+N'T", "x"], ["Don't=do+n't", "x"], 3),  # forms compare case-insensitively
])
def test_words_align_by_span_and_inside_multiword_stretches_by_lcs(gold, system, aligned):
    def sentence(tokens):
        words, ranges = [], []
        for token in tokens:
            surface, _, parts = token.partition("=")
            if parts:
                ranges.append((len(words), len(words) + parts.count("+"), surface))
                words.extend(parts.split("+"))
            else:
                words.append(surface)
        return [{"words": words, "multiword_tokens": ranges}], len(words)

    (g_sents, n_gold), (s_sents, n_system) = sentence(gold), sentence(system)
    scores = conll18_scores(g_sents, s_sents)
    assert scores["Words"] == pytest.approx({"p": 100 * aligned / n_system, "r": 100 * aligned / n_gold,
                                             "f": 200 * aligned / (n_gold + n_system)})


def test_lemmas_unknown_in_the_gold_match_anything_and_blex_needs_content_words(read):
    gold = read(ENGLISH, SHORT)
    assert gold[1]["lemmas"][1] is None  # "_" in the file
    scores = conll18_scores(gold, with_values(gold, lemmas=(1, 1, "slept")))
    assert f1(scores, "Lemmas") == f1(scores, "BLEX") == 100.0
    n_words, n_content = 10, 6
    scores = conll18_scores(gold, with_values(gold, lemmas=(0, 4, "a")))  # "the": a function word
    assert f1(scores, "Lemmas") == pytest.approx(100 * (n_words - 1) / n_words)
    assert f1(scores, "BLEX") == 100.0
    scores = conll18_scores(gold, with_values(gold, lemmas=(0, 5, "cats")))  # "cats": content
    assert f1(scores, "Lemmas") == pytest.approx(100 * (n_words - 1) / n_words)
    assert f1(scores, "BLEX") == pytest.approx(100 * (n_content - 1) / n_content)


def test_ufeats_keeps_universal_features_in_any_order(read):
    gold = read(ENGLISH)
    system = with_values(gold, morphs=[(0, 0, "PronType=Prs|Person=1|Number=Sing|Case=Nom"),
                                       (0, 5, "Foo=Bar|Number=Plur|Number[psor]=Sing")])
    scores = conll18_scores(gold, system)
    for metric in ("UFeats", "AllTags", "MLAS"):
        assert f1(scores, metric) == 100.0, metric


def test_a_wrong_feature_on_a_function_word_counts_for_its_head_in_mlas(read):
    gold = read(ENGLISH)
    scores = conll18_scores(gold, with_values(gold, morphs=(0, 4, "Definite=Ind|PronType=Art")))
    assert f1(scores, "UFeats") == f1(scores, "AllTags") == pytest.approx(600 / 7)
    assert f1(scores, "MLAS") == pytest.approx(75.0)  # "cats" has "the" as a functional child
    assert f1(scores, "UPOS") == f1(scores, "CLAS") == f1(scores, "BLEX") == 100.0
    scores = conll18_scores(gold, with_values(gold, tags=(0, 5, "NN")))  # XPOS only
    assert f1(scores, "XPOS") == f1(scores, "AllTags") == pytest.approx(600 / 7)
    assert f1(scores, "UPOS") == f1(scores, "MLAS") == 100.0


def test_a_system_without_a_parser_or_tagger_scores_zero_there(read):
    gold = read(ENGLISH)
    scores = conll18_scores(gold, [{"words": gold[0]["words"], "multiword_tokens": [(1, 2, "don't")]}])
    assert f1(scores, "Words") == 100.0
    for metric in ("UPOS", "Lemmas", "UAS", "LAS", "CLAS"):
        assert f1(scores, metric) == 0.0, metric
    assert f1(scores, "UFeats") == pytest.approx(100 / 7)  # "." has no features, like the system's words


@pytest.mark.parametrize("system,message", [
    ([{"words": ["a", "b"], "multiword_tokens": [(1, 2, "bc")]}],
     r"^system sentence 1: multiword token 'bc' \(words 2-3\) overlaps another or lies outside the sentence's 2 words$"),
    ([{"words": ["ab"]}, {"words": ["a", "b"], "multiword_tokens": [(0, 1, "ab"), (1, 1, "b")]}],
     r"^system sentence 2: multiword token 'b' \(words 2-2\) overlaps"),
    ([{"words": ["a", "b"], "heads": [0]}], r"^system sentence 1: 'heads' has 1 values for 2 words$"),
    ([{"words": ["a", "b"], "heads": [0, 2]}], r"^system sentence 1: head 2 of word 2 is outside the sentence's 2 words$"),
    ([{"words": ["a", " ", "b"]}], r"^system sentence 1: token 2 ' ' is empty once whitespace is removed$"),
    ([{"text": "ab"}], r"^system sentence 1: the sentence has no 'words'$"),
])
def test_malformed_sentences_get_one_line_naming_them(system, message):
    with pytest.raises(GoldError, match=message):
        conll18_scores([{"words": ["a", "b"]}], system)


def test_ewt_dev_scored_against_itself(shared_data):
    path = shared_data / "ud-en-ewt" / "ewt-dev.conllu"
    scores = conll18_score_files(path, path)
    assert all(scores[f"conll18_{metric.lower()}"] == 100.0 for metric in CONLL18_METRICS)
