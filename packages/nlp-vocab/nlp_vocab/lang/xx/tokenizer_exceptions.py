"""Language-neutral tokenizer special cases: emoticons and symbol sequences kept whole."""

_EMOTICONS = """
    :) :-) :)) :-)) :( :-( :(( :'( :'-( :D :-D :P :-P :p :-p :O :-O :o :-o :/ :-/ :\\ :-\\ :| :-|
    :] :-] :[ :-[ :3 :* :-* :> :< :@ :$ :S ;) ;-) ;( ;-( ;D ;P ;p =) =( =D =P =] =[ =/
    8) 8-) B) B-) XD xD XP xp X-D x-D X) x) X( x( <3 </3 <33 o.O O.o o_O O_o o_o O_O 0_0 -_- ^_^
    ^^ ^.^ >_< >.< T_T T.T ._. :-)))
    (: (-: ): )-: (; (-; D: D-: ¯\\(ツ)/¯ ¯\\_(ツ)_/¯ (^_^) (>_<) (;_;) \\o/ \\m/ o/ \\o
"""

TOKENIZER_EXCEPTIONS: dict[str, list[dict]] = {
    text: [{"ORTH": text}] for text in _EMOTICONS.split()
}
for _symbol in ("...", "--", "---", "<-", "->", "<->", "=>", "<=", ">=", "&amp;", "&lt;", "&gt;"):
    TOKENIZER_EXCEPTIONS[_symbol] = [{"ORTH": _symbol}]
