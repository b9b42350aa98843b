"""English for the messages ``nn`` writes: the article before a name.

``nn.io`` names the class a model file was saved from (``saved from an MLP``) and the
command line names the kind of model (``an adaline has none``); both say it this way.
"""

from __future__ import annotations

__all__ = ["with_article"]


def with_article(word: str) -> str:
    """``a perceptron``, ``an adaline``, ``an MLP``, ``an mlp``, ``a Linear``: the article as
    the word is said. A word in capitals or without a vowel (``MLP``, ``mlp``) is spelt out,
    so it takes "an" when the name of its first letter starts with a vowel sound (``F H L
    M N R S X``: "an em-el-pee")."""
    first = word[:1].upper()
    spelt = word.isupper() or not any(c in "AEIOU" for c in word.upper())
    return f"an {word}" if first in "AEIOU" or (spelt and first in "FHLMNRSX") else f"a {word}"
