"""English tokenizer special cases: a chunk (or a piece left after stripping punctuation) that is
a key here becomes exactly the listed pieces. Conventions follow UD English / the Penn Treebank:
"don't" -> "do" "n't", "gonna" -> "gon" "na", "cannot" -> "can" "not"; abbreviations keep their
period. Contractions with an apostrophe are also caught by the suffix rules; they are listed here
so that their pieces carry a NORM ("n't" -> "not", "'ll" -> "will").
"""

from ..xx.tokenizer_exceptions import TOKENIZER_EXCEPTIONS as _GENERIC

_APOSTROPHES = ("'", "’")


def _casings(text: str) -> list[str]:
    return list(dict.fromkeys([text, text[:1].upper() + text[1:], text.upper()]))


def _cased(pieces: list[tuple[str, str | None]], variant: str) -> list[dict]:
    """The pieces re-cased like `variant` (lower, Title or UPPER of their concatenation)."""
    out, start = [], 0
    for orth, norm in pieces:
        piece = {"ORTH": variant[start : start + len(orth)]}
        if norm is not None:
            piece["NORM"] = norm
        out.append(piece)
        start += len(orth)
    return out


def _build() -> dict[str, list[dict]]:
    table: dict[str, list[dict]] = {}

    def add(pieces: list[tuple[str, str | None]]) -> None:
        text = "".join(orth for orth, _ in pieces)
        for variant in _casings(text):
            table.setdefault(variant, _cased(pieces, variant))

    # Negated auxiliaries: host + n't, with or without the apostrophe.
    negated = {
        "do": "do", "does": "does", "did": "did", "is": "is", "are": "are", "was": "was",
        "were": "were", "has": "has", "have": "have", "had": "had", "could": "could",
        "would": "would", "should": "should", "must": "must", "need": "need", "might": "might",
        "ca": "can", "wo": "will", "ai": "am", "sha": "shall", "dare": "dare", "ought": "ought",
    }  # fmt: skip
    # Without the apostrophe (web spelling). "cant" and "wont" are also words, but in web text
    # they are far more often the contraction, which is what UD English annotates.
    no_apostrophe = {"do", "does", "did", "is", "are", "was", "were", "has", "have", "had",
                     "could", "would", "should", "ca", "wo", "ai"}  # fmt: skip
    for host, norm in negated.items():
        for apos in _APOSTROPHES:
            add([(host, norm), (f"n{apos}t", "not")])
        if host in no_apostrophe:
            add([(host, norm), ("nt", "not")])

    # Pronoun + clitic without an apostrophe (web spelling) where unambiguous.
    for host, clitic, norm in [
        ("i", "m", "am"), ("i", "ve", "have"), ("you", "re", "are"), ("they", "re", "are"),
        ("you", "ve", "have"), ("they", "ve", "have"), ("we", "ve", "have"),
    ]:  # fmt: skip
        add([(host, None), (clitic, norm)])
    for host in ("that", "what", "there", "here", "it", "he", "she", "who", "where", "how"):
        for apos in _APOSTROPHES:
            add([(host, None), (f"{apos}s", None)])
    add([("that", None), ("s", "is")])
    add([("what", None), ("s", "is")])
    add([("they", None), ("ll", "will")])
    add([("you", None), ("ll", "will")])

    # Clitics with an apostrophe after pronouns, for their norms.
    for host in ("i", "you", "he", "she", "it", "we", "they", "who", "there", "that", "what"):
        for apos in _APOSTROPHES:
            for clitic, norm in (("ll", "will"), ("ve", "have"), ("re", "are"), ("d", "would"),
                                 ("m", "am")):  # fmt: skip
                if clitic == "m" and host != "i":
                    continue
                add([(host, None), (f"{apos}{clitic}", norm)])

    # Fused forms that UD splits into two syntactic words.
    for pieces in (
        [("gon", "going"), ("na", "to")], [("got", "got"), ("ta", "to")],
        [("wan", "want"), ("na", "to")], [("can", "can"), ("not", "not")],
        [("lem", "let"), ("me", "me")], [("gim", "give"), ("me", "me")],
        [("du", "do"), ("n", "not"), ("no", "know")], [("kind", "kind"), ("a", "of")],
        [("sort", "sort"), ("a", "of")], [("out", "out"), ("ta", "of")],
        [("lot", "lot"), ("ta", "of")],
    ):  # fmt: skip
        add(pieces)
    for apos in _APOSTROPHES:
        add([(f"y{apos}", "you"), ("all", "all")])
        add([("c", "come"), (f"{apos}mon", "on")])
        add([(f"{apos}em", "them")])
        add([(f"{apos}cause", "because")])
        add([(f"{apos}til", "until")])
        add([(f"{apos}n{apos}", "and")])
        add([(f"o{apos}clock", None)])
        add([(f"{apos}s", None)])

    # Abbreviations that keep their period.
    abbreviations = """
        Mr. Mrs. Ms. Dr. Drs. Prof. St. Sr. Jr. Mt. Ft. Ave. Blvd. Rd. Hwy. Gov. Sen. Rep.
        Gen. Col. Lt. Sgt. Capt. Cmdr. Adm. Maj. Rev. Hon. Pres. Supt. Messrs. Mmes.
        Inc. Corp. Co. Ltd. Bros. Dept. Univ. Assn. Intl. Natl. Mfg.
        Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.
        Mon. Tue. Tues. Wed. Thu. Thur. Thurs. Fri. Sat. Sun.
        vs. etc. approx. appt. apt. est. fig. figs. min. max. misc. no. nos. No. Nos. p. pp.
        ca. cf. al. viz. vol. vols. ed. eds. esp. incl. dept. govt. temp. tel. ext. yr. yrs.
        a.m. p.m. A.M. P.M. e.g. i.e. E.g. I.e. U.S. U.K. U.N. U.S.A. D.C. L.A. N.Y.
        Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass.
        Mich. Minn. Miss. Mo. Mont. Neb. Nev. Okla. Ore. Pa. Tenn. Tex. Va. Vt. Wash. Wis. Wyo.
        Ph.D. Ph.d. M.D. B.A. M.A. B.S. M.S. Jr Sr
    """.split()
    for abbr in abbreviations:
        table.setdefault(abbr, [{"ORTH": abbr}])
    for short, norm in (("Mr.", "mister"), ("Mrs.", "missus"), ("Dr.", "doctor"), ("St.", "saint"),
                        ("vs.", "versus"), ("etc.", "etcetera")):  # fmt: skip
        table[short] = [{"ORTH": short, "NORM": norm}]
    return table


TOKENIZER_EXCEPTIONS: dict[str, list[dict]] = {**_GENERIC, **_build()}
