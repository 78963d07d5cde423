"""English norm exceptions: text (lower-cased) -> normalized form. Contractions map to their full
word, informal spellings to the standard one, British spellings to American ones, so that the NORM
feature groups forms that mean the same."""

_CONTRACTIONS = {
    "n't": "not", "nt": "not", "n’t": "not",
    "'re": "are", "’re": "are",
    "'ve": "have", "’ve": "have",
    "'ll": "will", "’ll": "will",
    "'m": "am", "’m": "am",
    "ca": "can", "wo": "will", "sha": "shall",
    "'cause": "because", "cause": "because", "cuz": "because", "coz": "because",
    "'em": "them", "’em": "them",
    "gonna": "going to", "gotta": "got to", "wanna": "want to",
    "y'all": "you all", "ya'll": "you all",
    "ma'am": "madam",
    "'til": "until", "til": "until", "till": "until",
    "tho": "though", "thru": "through",
    "u": "you", "ur": "your", "r": "are",
    "pls": "please", "plz": "please", "thx": "thanks",
    "w/": "with", "w/o": "without",
}

_PUNCTUATION = {
    "“": '"', "”": '"', "„": '"', "``": '"', "''": '"',
    "‘": "'", "’": "'", "‚": "'", "`": "'",
    "—": "--", "–": "--", "…": "...",
    "-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}",
}

# British -> American spelling pairs; both forms normalize to the American one.
_SPELLINGS = """
colour color colours colors coloured colored favour favor favours favors favourite favorite
favourites favorites honour honor honours honors honoured honored labour labor neighbour neighbor
neighbours neighbors neighbourhood neighborhood behaviour behavior behaviours behaviors humour humor
flavour flavor harbour harbor rumour rumor vapour vapor armour armor endeavour endeavor
centre center centres centers theatre theater theatres theaters metre meter metres meters
litre liter litres liters fibre fiber calibre caliber
organise organize organised organized organisation organization organisations organizations
realise realize realised realized recognise recognize recognised recognized apologise apologize
analyse analyze analysed analyzed criticise criticize emphasise emphasize
defence defense offence offense licence license practise practice
travelled traveled travelling traveling traveller traveler cancelled canceled modelling modeling
jewellery jewelry programme program programmes programs catalogue catalog dialogue dialog
grey gray tyre tire tyres tires cheque check cheques checks plough plow aluminium aluminum
mum mom mums moms
"""


def _spelling_pairs(text: str) -> dict:
    words = text.split()
    return {british: american for british, american in zip(words[0::2], words[1::2])}


NORM_EXCEPTIONS: dict = {**_CONTRACTIONS, **_PUNCTUATION, **_spelling_pairs(_SPELLINGS)}
