"""`nlp visualize`: a tiny trained model's parses and entities drawn to a file, to stdout and
over HTTP on 127.0.0.1, read back with html.parser / xml.etree and compared with the Docs the
same model gives in this process; bad input is one line."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(1)</script>"
TEXTS = ["Ada Moss found the small report in Lisbon.", f"Ben Okafor sold the green {NASTY} in Oslo.",
         "Cleo Varga wrote the old letter in Quito. Dev Lind painted the quiet garden in Perth."]


@pytest.fixture(scope="module")
def model(tmp_path_factory, corpus, nlp_cmd, cli) -> Path:
    out = tmp_path_factory.mktemp("visualize")
    cli.run(nlp_cmd, "train", "en", out, corpus["train"], corpus["dev"], "-p", "tagger,parser,ner", "-n", "2",
            *cli.tiny)
    return out / "model-best"


@pytest.fixture(scope="module")
def docs(model):
    import nlp_models

    return list(nlp_models.load(model).pipe(TEXTS))


@pytest.fixture
def texts_file(tmp_path) -> Path:
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(TEXTS[:2]) + "\n\n" + TEXTS[2] + "\n", encoding="utf8")  # a blank line is skipped
    return path


class Page(HTMLParser):
    """Tags, the text without the marks' labels (words) and the marks (label, own text) of a page;
    the SVGs kept as source."""

    def __init__(self, source: str):
        super().__init__()
        self.tags, self.words, self.marks, self._mark_depth = [], [], [], 0
        self.svgs = re.findall(r"<svg\b.*?</svg>", source, flags=re.S)
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self.marks.append([dict(attrs)["data-label"], ""])
        if self._mark_depth or tag == "mark":
            self._mark_depth += 1

    def handle_endtag(self, tag):
        if self._mark_depth:
            self._mark_depth -= 1

    def handle_data(self, data):
        if self._mark_depth <= 1:  # the page's text without the marks' label spans
            self.words.append(data)
        if self._mark_depth == 1:  # the mark's own text, not its label span
            self.marks[-1][1] += data


def arcs(page: Page) -> list[tuple[int, int, str]]:
    found = []
    for source in page.svgs:
        for group in ET.fromstring(source).iter(f"{SVG}g"):
            if group.get("class") == "arc":
                found.append((int(group.get("data-head")), int(group.get("data-child")), group.get("data-label")))
    return found


def run_main(capsys, *args) -> tuple[int, str, str]:
    """`nlp visualize ARGS` in this process: (exit status, stdout, stderr)."""
    from nlp_cli.__main__ import main

    with pytest.raises(SystemExit) as info:
        main(["visualize", *map(str, args)])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_writes_the_dependency_page(tmp_path, model, docs, texts_file, nlp_cmd, cli):
    out = tmp_path / "pages" / "dep.html"
    proc = cli.run(nlp_cmd, "visualize", model, texts_file, "-o", out)
    assert f"✔ Saved the dependency parses of 3 texts to {out}" in proc.stdout
    page = Page(out.read_text(encoding="utf8"))
    assert not any(tag == "script" for tag, _ in page.tags) and NASTY in "".join(page.words)
    expected = []  # (head, child, label) of every token whose head is another, doc by doc
    for doc in docs:
        expected += [(t.head.i, t.i, t.dep_) for t in doc if t.head.i != t.i]
    assert expected and arcs(page) == expected
    assert len(page.svgs) == sum(len(list(doc.sents)) for doc in docs)
    tags = [t.text for s in page.svgs for t in ET.fromstring(s).iter(f"{SVG}tspan") if t.get("class") == "tag"]
    assert tags == [t.tag_ for doc in docs for t in doc] and all(tags)
    assert not list(out.parent.glob(".*tmp*"))  # the atomic write left no temporary file


def test_entities_to_stdout_from_jsonl(tmp_path, model, docs, nlp_cmd, cli):
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps({"text": t, "meta": k}) + "\n" for k, t in enumerate(TEXTS)), encoding="utf8")
    proc = subprocess.run([*nlp_cmd, "visualize", str(model), str(source), "-s", "ent"], capture_output=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    page = Page(proc.stdout.decode("utf8"))
    assert page.marks == [[e.label_, e.text] for doc in docs for e in doc.ents] and page.marks
    assert ("meta", {"charset": "utf-8"}) in page.tags and NASTY in "".join(page.words)
    assert not any(tag == "script" for tag, _ in page.tags)


def test_serves_the_page_on_localhost_until_interrupted(model, texts_file, nlp_cmd):
    proc = subprocess.Popen([*nlp_cmd, "visualize", str(model), str(texts_file), "-s", "ent", "--serve", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        url = match.group(0)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
            page = Page(response.read().decode("utf8"))
        assert page.marks and NASTY in "".join(page.words)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url + "etc/passwd", timeout=30)
        assert info.value.code == 404
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert out.strip() == "✔ Stopped serving" and "Traceback" not in err


def test_warns_when_the_model_draws_nothing(tmp_path, texts_file, capsys):
    import nlp_models

    nlp_models.blank("en").to_disk(tmp_path / "blank")
    code, out, err = run_main(capsys, tmp_path / "blank", texts_file, "-s", "ent", "-o", tmp_path / "ent.html")
    assert code == 0 and "recognizes no entities" in err
    assert Page((tmp_path / "ent.html").read_text(encoding="utf8")).marks == []
    code, out, err = run_main(capsys, tmp_path / "blank", texts_file)
    assert code == 0 and "sets no dependency parse" in err and out.startswith("<!DOCTYPE html>")


def test_bad_input_is_one_line(tmp_path, model, texts_file, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Ada Moss found it."}\n\n{"txt": "no text"}\n', encoding="utf8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{"text": \n', encoding="utf8")
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf8")
    cases = [
        ((model, bad), f'{bad}:3: expected an object with a "text" string'),
        ((model, broken), f"{broken}:2: invalid JSON"),
        ((model, tmp_path / "empty.txt"), "input file holds no texts"),
        ((model, tmp_path / "missing.txt"), "input file not found"),
        ((tmp_path / "no-model", texts_file), "model not found"),
        ((model, texts_file, "-o", tmp_path), "-o/--output is a folder"),
        ((model, texts_file, "--serve", "70000"), "--serve 70000: a port is a number in 0-65535"),
        ((model, texts_file, "-s", "tree"), "invalid choice: 'tree'"),
    ]
    for args, message in cases:
        code, out, err = run_main(capsys, *args)
        assert code == 1 and out == "", (args, out)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("✘") and message in lines[0], (args, err)


def test_port_in_use_is_one_line(model, texts_file, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run_main(capsys, model, texts_file, "--serve", port)
    assert code == 1 and err.strip().startswith(f"✘ --serve {port}: cannot listen on 127.0.0.1:{port} (")
    assert len(err.strip().splitlines()) == 1


def test_help_lists_the_options(capsys):
    code, out, _ = run_main(capsys, "--help")
    assert code == 0 and out.startswith("usage: nlp visualize")
    assert all(option in out for option in ("-o OUT.html", "--style", "--serve PORT", "input_path"))
