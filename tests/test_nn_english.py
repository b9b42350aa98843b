"""nn.english: the article before a name, as the word is said."""

from nn.english import with_article
from nn.modelspec import MODELS


def test_the_kinds_of_model_and_the_class_names_take_the_article_they_are_said_with():
    assert [with_article(m) for m in MODELS] == ["a perceptron", "an adaline", "an mlp"]
    classes = ["MLP", "Adaline", "Linear", "Perceptron", "Sequential", "Dropout", "Ensemble",
               "ReLU", "ELU", "Identity", "Tanh"]
    assert [with_article(c) for c in classes] == [
        "an MLP", "an Adaline", "a Linear", "a Perceptron", "a Sequential", "a Dropout",
        "an Ensemble", "a ReLU", "an ELU", "an Identity", "a Tanh"]


def test_a_word_in_capitals_or_without_a_vowel_is_spelt_out():
    assert [with_article(w) for w in ("RNN", "rnn", "CNN", "cnn", "SGD", "XLM", "?")] == [
        "an RNN", "an rnn", "a CNN", "a cnn", "an SGD", "an XLM", "a ?"]
