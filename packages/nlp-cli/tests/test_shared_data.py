"""The real corpora (skipped when ../shared/data is absent): `nlp convert` gives the corpora's
published counts, and `nlp debug-data` reports EWT's non-projective sentences."""

from __future__ import annotations

import pytest

from nlp_cli.__main__ import main


def run_main(capsys, *args) -> str:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    assert info.value.code == 0, out.err
    return out.out


def test_convert_ewt_counts(capsys, shared_data, tmp_path):
    out = run_main(capsys, "convert", shared_data / "ud-en-ewt" / "ewt-train.conllu", tmp_path, "-t", "docbin")
    assert "Converted 12544 sentences (204577 words, 0 entities)" in out


def test_convert_conll2003_counts(capsys, shared_data, tmp_path):
    out = run_main(capsys, "convert", shared_data / "conll2003" / "train.txt", tmp_path, "-t", "docbin", "-n", "10")
    assert "Converted 14041 sentences (203621 words, 23499 entities)" in out


def test_debug_data_ewt_nonprojective(capsys, shared_data):
    ewt = shared_data / "ud-en-ewt"
    out = run_main(capsys, "debug-data", "en", ewt / "ewt-train.conllu", ewt / "ewt-dev.conllu", "-p", "tagger,parser")
    assert "288 non-projective sentences in train" in out and "31 non-projective sentences in dev" in out
