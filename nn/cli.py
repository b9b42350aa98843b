"""The command line: ``python -m nn`` (also installed as ``nn-train``): parsing and dispatch.

Subcommands::

    demo       the lecture's story on built-in data, pictures in out/ (the default)
    train      train a perceptron, an Adaline or an MLP; save the model and its curves
    evaluate   loss and accuracy of a saved model on a data set (by default the one it
               was trained on, recorded in model.json: the validation split training held
               out)
    graph      draw a saved model's computation graph for one sample (PNG or SVG)
    explain    write the step-through page of a saved model's backprop on one sample
    gradcheck  compare a saved model's gradients with central differences

The work is done by library modules named for what they hold: ``nn.datasets`` (data sets
by name, CSV files, the fingerprint), ``nn.modelspec`` (``model.json`` beside
``model.npz``, the record of the training split, a run's files), ``nn.graphs``
(``render_model_graph``), ``nn.explain`` (``save_loss_page``), ``nn.gradcheck``
(``gradcheck_model``), ``nn.demo``. This module parses arguments, calls them and prints.

Errors a user can act on (unknown data set, bad ``--hidden``, missing file, negative
learning rate, a model file that does not fit, a malformed CSV row) end the program with
one line on stderr and exit status 2 (bad arguments) or 1 (the work failed), never a
traceback; set the environment variable ``NN_DEBUG=1`` to see the traceback anyway.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nn.csvfile import CSVFormatError
from nn.data import fewest_samples_to_split, held_out
from nn.datasets import BUILT_IN, CLASSES, DEFAULT_SAMPLES, DataSpec, load_data
from nn.english import with_article
from nn.gradcheck import gradcheck_model
from nn.graphs import render_model_graph
from nn.layers import Perceptron
from nn.modelspec import (
    MODELS,
    RUN_FILES,
    ModelSpec,
    ModelSpecError,
    build_model,
    load_model,
    loss_for,
    save_run,
    targets_for,
    training_split,
)
from nn.optim import get_optimizer, optimizers

__all__ = ["CLIError", "UsageError", "build_parser", "main", "parse_data"]

PROG = "python -m nn"
DATASETS = BUILT_IN
OPTIMIZERS = tuple(optimizers)  # the names get_optimizer knows, in nn.optim's order
GRAPH_FORMATS = ("png", "svg")
# hidden-layer activations, the default first: every one nn.activations registers but the
# two that normalise a row (softmax, hardmax; a test holds that). "step" (the perceptron's
# threshold) trains by its straight-through gradient, which `gradcheck` shows is not its
# derivative
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "softplus", "identity", "step")
DATA_HELP = f"{{{','.join(DATASETS)}}}, idx:IMAGES,LABELS or a numeric FILE.csv"


class CLIError(Exception):
    """A problem the user can fix; ``main`` prints it as one line and exits with status 1."""


class UsageError(CLIError):
    """Arguments that do not go together (found after parsing, so argparse cannot say it):
    printed like argparse's own errors, one line ending in a pointer to ``--help``, exit
    status 2."""


def _count(n: int, noun: str) -> str:
    """``1 sample``, ``2 samples``: the plural only when the number is not 1."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def parse_data(text: str) -> DataSpec:
    """``--data``'s value: a built-in name, ``idx:IMAGES,LABELS`` or a ``.csv`` path
    (argparse type)."""
    try:
        return DataSpec.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


# --------------------------------------------------------------------------- argument types


def _number_arg(convert: type, ok: Any, need: str) -> Any:
    """An argparse type: ``convert`` the text, then check it with ``ok`` (else: ``need``)."""
    what = "a whole number" if convert is int else "a number"

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {need}, got {text}")
        return value

    parse.__name__ = need  # argparse names the type in its messages
    return parse


positive_float = _number_arg(float, lambda v: v > 0 and np.isfinite(v), "a positive number")
nonneg_float = _number_arg(float, lambda v: v >= 0 and np.isfinite(v), "a number >= 0")
positive_int = _number_arg(int, lambda v: v >= 1, "a whole number >= 1")
sample_count = _number_arg(int, lambda v: v >= 2, "a whole number >= 2")
seed_int = _number_arg(int, lambda v: v >= 0, ">= 0")
nonneg_int = _number_arg(int, lambda v: v >= 0, "a whole number >= 0")
fraction = _number_arg(float, lambda v: 0.0 <= v < 1.0, "in [0, 1)")


def hidden_sizes(text: str) -> tuple[int, ...]:
    """``--hidden 64,64`` -> ``(64, 64)``; an empty string or ``none`` -> no hidden layer."""
    text = text.strip()
    if text.lower() in ("", "none", "[]"):
        return ()
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"{text!r}: layer sizes are positive whole numbers separated by commas, "
                f"e.g. 64,64 (bad entry {part!r})"
            )
        sizes.append(int(part))
    return tuple(sizes)


def activation_name(text: str) -> str:
    """A hidden-layer activation: a name ``--help`` lists or one of its aliases
    (``leaky-relu``, ``logistic``, ``linear``); softmax and hardmax, which normalise over
    a layer, belong at the output, and a hidden hardmax stops every gradient below it."""
    from nn.activations import Hardmax, Softmax, get_activation

    try:
        act = get_activation(text)
    except (ValueError, TypeError):
        act = None
    if act is None or isinstance(act, Softmax | Hardmax):
        raise argparse.ArgumentTypeError(
            f"unknown activation {text!r}; choose from {', '.join(ACTIVATIONS)}"
        )
    return text.lower()


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


_FMT = argparse.RawDescriptionHelpFormatter

MAIN_EPILOG = """\
examples:
  python -m nn demo
  python -m nn train --data moons --hidden 16,16 --activation tanh
  python -m nn evaluate out/train
  python -m nn graph out/train
  python -m nn explain out/train --out steps.html
  python -m nn gradcheck out/train

Run 'python -m nn COMMAND --help' for a command's options.
"""

DEMO_EPILOG = """\
examples:
  python -m nn                      # the same as: python -m nn demo
  python -m nn demo --out pictures --seed 1
  make demo

"""


def _demo_files() -> str:
    """The demo's files for its ``--help``, from ``nn.demo.FILES`` (so the list is the
    one the demo writes)."""
    from nn.demo import FILES, NEEDS_DOT

    plain = [name for key, name in FILES.items() if key not in NEEDS_DOT]
    drawn = [FILES[key] for key in NEEDS_DOT]
    count = {1: "this", 2: "these two", 3: "these three", 4: "these four"}.get(
        len(drawn), f"these {len(drawn)}")
    text = (f"writes to --out: {', '.join(plain[:-1])}, {', '.join(drawn)} ({count} when "
            f"Graphviz's dot is installed) and {plain[-1]}.")
    return textwrap.fill(text, width=88) + "\n"


TRAIN_EPILOG = """\
examples:
  python -m nn train --data moons --model mlp --hidden 16,16 --activation tanh --epochs 100
  python -m nn train --data xor --model perceptron --epochs 20      # fails: XOR is not linear
  python -m nn train --data blobs --model adaline --lr 0.05 --no-progress
  python -m nn train --data digits --hidden 64 --optimizer adam --lr 0.005 --epochs 30 \\
      --dropout 0.1 --weight-decay 1e-4 --out runs/digits
  python -m nn train --data idx:train-images-idx3-ubyte.gz,train-labels-idx1-ubyte.gz \\
      --hidden 256,256 --epochs 5 --batch-size 128
  python -m nn train --data my.csv --target label --out runs/mine

A CSV file is a numeric table: a header row is detected, the label is the last column
(or --target NAME) and holds classes 0, 1, 2, ...

defaults: --optimizer sgd (perceptron, adaline) or adam (mlp); --lr 0.1 (perceptron),
0.02 (adaline), 0.01 (mlp); --val-split 0.2 (0 for xor, which has 4 points).
""" + textwrap.fill(f"writes to --out: model.npz + model.json (the model), "
                    f"{', '.join(RUN_FILES)}.", width=88) + "\n"

EVALUATE_EPILOG = """\
examples:
  python -m nn evaluate out/train                               # its own data's held-out part
  python -m nn evaluate out/train/model.npz --data moons --seed 7 --json
  python -m nn evaluate runs/digits --data digits --split all   # training samples too

Without --data, evaluate uses the data set recorded in model.json (drawn with the
training run's seed and size). With --data, --seed draws the built-in point clouds
(default 1: a different sample from the one 'train' draws with its default seed 0).
When the data is the data set the model was trained on (digits, the same files, or a
point cloud drawn with the training seed and size), evaluate scores the validation
split that training held out, rebuilt from model.json, and says so; --split all scores
every sample and says that it includes the ones the model was trained on.
"""

GRAPH_EPILOG = """\
examples:
  python -m nn graph out/train                          # out/train/graph.png, sample 0
  python -m nn graph out/train --sample 7 --format svg --out mlp.svg
  python -m nn graph out/train --data moons --seed 3    # the first sample of another draw
  python -m nn graph out/train --random                 # a random input and label

The graph is the loss of one sample of the data set the model was trained on (recorded
in model.json; --data for another): forward through every layer (one box per layer),
then the loss; backward has run, so the nodes show their gradients. The title names the
sample and its label.

The format is --out's extension (.png or .svg; a name without one gets --format's,
default png). Other extensions are refused: Graphviz here writes PNG and SVG only.
"""

GRADCHECK_EPILOG = """\
examples:
  python -m nn gradcheck out/train
  python -m nn gradcheck out/train --data moons --samples 8 --fast

Exit status 0 when every parameter's gradient matches central differences, 1 otherwise.
A perceptron is checked on its net input z = w^T x + b: the step's straight-through
gradient is a training rule, not the derivative of the step (which is 0).
"""

EXPLAIN_EPILOG = """\
examples:
  python -m nn explain out/train                        # steps.html, sample 0
  python -m nn explain out/train --sample 7 --out s7.html

One self-contained HTML file (no network, opens from disk in any browser): the forward
pass, then the backward pass node by node with the chain rule in numbers, for the loss of
one sample chosen as for 'graph'. Step with the arrow keys; steps.html#step=N opens at N.
"""


def _subparser(sub: Any, name: str, summary: str, description: str, epilog: str) -> Any:
    return sub.add_parser(name, help=summary, description=description, epilog=epilog,
                          formatter_class=_FMT)


def _add_model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model folder, .npz or .json")


def _add_data_args(p: argparse.ArgumentParser, default: Any, text: str) -> None:
    p.add_argument("--data", type=parse_data, default=default, metavar="DATA", help=text)
    saved = "" if default is not None else "the model's, recorded in model.json, else "
    p.add_argument("--target", default=None, metavar="NAME",
                   help=f"with a CSV file: the label column, by header name or number "
                        f"(default: {saved}the last column)")
    p.add_argument("--n-samples", type=sample_count, default=None, metavar="N",
                   help=_n_samples_help())


def _n_samples_help() -> str:
    """``--n-samples``' help from ``nn.datasets.DEFAULT_SAMPLES``: the usual size, then the
    data sets drawn with another."""
    sizes = list(DEFAULT_SAMPLES.values())
    usual = max(sizes, key=sizes.count)
    others = "".join(f"; {name} {n}" for name, n in DEFAULT_SAMPLES.items() if n != usual)
    return f"points to draw for {', '.join(DEFAULT_SAMPLES)} (default {usual}{others})"


def _add_demo(sub: Any) -> None:
    p = _subparser(sub, "demo", "the lecture's story on built-in data (the default)",
                   "Train a perceptron (separable data, then XOR), an Adaline,\nand MLPs on "
                   "XOR, two moons and spirals; gradcheck an MLP;\nwrite pictures and a "
                   "summary.", DEMO_EPILOG + _demo_files())
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--seed", type=seed_int, default=0, help="random seed (default: 0)")
    p.add_argument("--progress", action="store_true", help="show progress bars")


def _add_train(sub: Any) -> None:
    p = _subparser(sub, "train", "train a model and save it with its learning curves",
                   "Train a perceptron, an Adaline or an MLP; print the final\nmetrics; save "
                   "the model, its history and learning curves.", TRAIN_EPILOG)
    _add_data_args(p, parse_data("moons"), f"{DATA_HELP} (default: moons)")
    p.add_argument("--model", choices=MODELS, default="mlp",
                   help="perceptron, adaline or mlp (default: mlp)")
    p.add_argument("--hidden", type=hidden_sizes, default=None, metavar="SIZES",
                   help="hidden layer sizes, comma separated (default: 16,16; 'none' for a "
                        "single-layer network)")
    p.add_argument("--activation", type=activation_name, default=None, metavar="NAME",
                   help=f"hidden activation: {', '.join(ACTIVATIONS)} (default: relu)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=None, metavar="NAME",
                   help=f"{', '.join(OPTIMIZERS)} (default: sgd for perceptron and adaline, "
                        f"adam for mlp)")
    p.add_argument("--lr", type=positive_float, default=None, metavar="ETA",
                   help="learning rate η (default: 0.1 perceptron, 0.02 adaline, 0.01 mlp)")
    p.add_argument("--epochs", type=positive_int, default=50, metavar="N", help="default: 50")
    p.add_argument("--batch-size", type=positive_int, default=32, metavar="N",
                   help="default: 32")
    p.add_argument("--dropout", type=fraction, default=0.0, metavar="P",
                   help="dropout probability after each hidden layer (mlp; default: 0)")
    p.add_argument("--weight-decay", type=nonneg_float, default=0.0, metavar="LAMBDA",
                   help="L2 weight decay λ (default: 0)")
    p.add_argument("--val-split", type=fraction, default=None, metavar="FRACTION",
                   help="fraction held out for validation (default 0.2; 0 for xor)")
    p.add_argument("--seed", type=seed_int, default=0,
                   help="seeds the data, the split, the weights and the batch order (default: 0)")
    p.add_argument("--out", default=os.path.join("out", "train"), metavar="DIR",
                   help="output folder (default: out/train)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is shown only when stderr is a terminal anyway)")


def _add_evaluate(sub: Any) -> None:
    p = _subparser(sub, "evaluate", "loss and accuracy of a saved model",
                   "Loss and accuracy of a model saved by 'train' on a data set.",
                   EVALUATE_EPILOG)
    _add_model_arg(p)
    _add_data_args(p, None, f"{DATA_HELP} (default: the data set in model.json)")
    p.add_argument("--seed", type=seed_int, default=None,
                   help="data seed (default: the training run's without --data, else 1)")
    p.add_argument("--split", choices=("val", "all"), default=None,
                   help="on the training run's own data set: val (default) scores the "
                        "validation split it held out, all scores every sample, training "
                        "samples included")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")


def _add_graph(sub: Any) -> None:
    p = _subparser(sub, "graph", "draw a saved model's computation graph",
                   "Render the computation graph of a saved model's loss on\none sample "
                   "(grouped by layer) with Graphviz.", GRAPH_EPILOG)
    _add_model_arg(p)
    p.add_argument("--out", default=None, metavar="FILE",
                   help="output file (default: graph.FORMAT next to the model)")
    p.add_argument("--format", choices=GRAPH_FORMATS, default=None,
                   help="default: from --out's extension (.png or .svg), else png")
    _add_sample_args(p)


def _add_sample_args(p: argparse.ArgumentParser) -> None:
    """Which one sample `graph` and `explain` draw: from the data set, or a random one."""
    _add_data_args(p, None, f"take the sample from {DATA_HELP} (default: the data set in "
                            f"model.json)")
    p.add_argument("--sample", type=nonneg_int, default=None, metavar="N",
                   help="which sample (row) of the data set (default: 0)")
    p.add_argument("--random", action="store_true",
                   help="a random standard-normal input with a random label instead")
    p.add_argument("--seed", type=seed_int, default=None,
                   help="data seed (default: the training run's), or --random's seed")


def _add_explain(sub: Any) -> None:
    p = _subparser(sub, "explain", "step through a saved model's backprop in a browser",
                   "Write one self-contained HTML page that steps through the forward\nand "
                   "backward pass of a saved model's loss on one sample.", EXPLAIN_EPILOG)
    _add_model_arg(p)
    p.add_argument("--out", default="steps.html", metavar="FILE",
                   help="the page to write (default: steps.html)")
    _add_sample_args(p)


def _add_gradcheck(sub: Any) -> None:
    p = _subparser(sub, "gradcheck", "check a saved model's gradients numerically",
                   "Compare the autodiff gradient of a saved model's loss\nwith central finite "
                   "differences, in float64.", GRADCHECK_EPILOG)
    _add_model_arg(p)
    _add_data_args(p, None, "take the samples from this data set (default: random inputs)")
    p.add_argument("--samples", type=positive_int, default=4, metavar="N",
                   help="how many samples the loss sums over (default: 4)")
    p.add_argument("--eps", type=positive_float, default=1e-6, help="step (default: 1e-6)")
    p.add_argument("--atol", type=positive_float, default=1e-5, help="default: 1e-5")
    p.add_argument("--rtol", type=positive_float, default=1e-3, help="default: 1e-3")
    p.add_argument("--fast", action="store_true",
                   help="one random direction per check instead of every weight")
    p.add_argument("--seed", type=seed_int, default=0, help="default: 0")


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser of every subcommand (``prog`` is the name shown in messages)."""
    parser = _Parser(
        prog=prog,
        description="Train and inspect neural networks built on autograd_core (the lecture's\n"
                    "perceptron, Adaline and multilayer perceptron). Without a command, runs "
                    "the demo.",
        epilog=MAIN_EPILOG, formatter_class=_FMT,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in (_add_demo, _add_train, _add_evaluate, _add_graph, _add_explain,
                _add_gradcheck):
        add(sub)
    return parser


# --------------------------------------------------------------------------- data


@dataclasses.dataclass(frozen=True)
class _Data:
    """The data a command works on, as resolved from ``--data`` or ``model.json``."""

    spec: DataSpec
    n_samples: int | None
    seed: int
    recorded: bool  # taken from model.json (no --data given)
    target_recorded: bool = False  # a CSV's label column from model.json (no --target given)

    def __str__(self) -> str:
        return str(self.spec)

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        try:
            return _load(self.spec, self.n_samples, self.seed)
        except CSVFormatError as err:
            if not err.label or (self.spec.target is not None and not self.target_recorded):
                raise  # a problem --target cannot cure, or the user's own --target
            if self.spec.target is None:
                hint = "the label is the last column unless --target names another"
            else:
                hint = (f"the label column {self.spec.target!r} came from model.json: pass "
                        f"--target with this file's label column")
            raise CSVFormatError(f"{err}; {hint}", label=True) from None


def _load(spec: DataSpec, n_samples: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``load_data``, in the options' words: ``--n-samples`` checked first against the point
    cloud's classes (the generator's own check names its argument, ``n_samples``), and a
    missing IDX file named as a part of ``--data``."""
    least = CLASSES.get(spec.name)  # None: not a point cloud, which ignores --n-samples
    if least is not None and n_samples is not None and n_samples < least:
        raise UsageError(f"--n-samples {n_samples}: {spec.name} has {least} classes, so it "
                         f"needs at least {least} samples")
    try:
        return load_data(spec, n_samples, seed=seed)
    except FileNotFoundError as err:
        if spec.name != "idx":
            raise
        raise FileNotFoundError(f"--data idx: no such file {err.filename!r}") from None


def _with_target(args: argparse.Namespace, spec: DataSpec) -> DataSpec:
    """``--data``'s spec with ``--target`` (which only a CSV file takes)."""
    if args.target is None:
        return spec
    if spec.name != "csv":
        raise UsageError(f"--target {args.target} names a column of a CSV file, but the data "
                         f"is {spec}")
    return dataclasses.replace(spec, target=args.target)


def _check_recorded_files(data: DataSpec, model: str) -> None:
    """Refuse a data file that model.json names but that is not there, saying that the
    name came from model.json (the user did not type it)."""
    for path in data.files:
        if not os.path.isfile(path):
            where = (f"which is not in the current folder ({os.getcwd()})"
                     if not os.path.isabs(path) else "which does not exist (moved or deleted?)")
            raise CLIError(f"model.json of {model} records the data file {path!r}, {where}; "
                           f"pass --data with the file's path")


def _data_for(spec: ModelSpec, args: argparse.Namespace, default_seed: int) -> _Data:
    """``--data`` if given (its seed: ``--seed`` or ``default_seed``), else the data set
    ``model.json`` records, drawn with the training run's seed and size."""
    if args.data is not None:
        seed = default_seed if args.seed is None else args.seed
        data = _with_target(args, args.data)
        # a CSV file without --target: the label column the model was trained with
        from_model = data.name == "csv" and data.target is None and spec.target is not None
        if from_model:
            data = dataclasses.replace(data, target=spec.target)
        return _Data(data, args.n_samples, seed, recorded=False, target_recorded=from_model)
    if not spec.data:
        raise CLIError("model.json records no data set; pass --data")
    try:
        data = DataSpec.parse(spec.data, target=spec.target)
    except ValueError as err:
        raise CLIError(f"model.json's data set: {err}; pass --data") from None
    _check_recorded_files(data, args.model)
    data = _with_target(args, data)
    td = spec.training_data or {}
    seed = td.get("seed", 0) if args.seed is None else args.seed
    n = args.n_samples or (None if data.fixed else td.get("samples"))
    return _Data(data, n, seed, recorded=True)


def _check_features(spec: ModelSpec, X: np.ndarray, data: Any) -> None:
    if X.shape[1] != spec.n_in:
        raise CLIError(f"the model takes {spec.n_in} features but --data {data} has "
                       f"{X.shape[1]}")


def _check_classes(spec: ModelSpec, y: np.ndarray, data: Any) -> None:
    """Refuse data with more classes than the model has outputs for."""
    classes = int(y.max()) + 1
    if spec.model == "mlp" and classes > spec.n_out:
        raise CLIError(f"--data {data} has {classes} classes but the model has "
                       f"{spec.n_out} outputs")
    if spec.model != "mlp" and classes > 2:
        raise CLIError(f"--data {data} has {classes} classes; {with_article(spec.model)} "
                       f"has two")


# --------------------------------------------------------------------------- commands


def _say(*lines: str) -> None:
    print(*lines, sep="\n", flush=True)


def _check_out_folder(out: str) -> None:
    """Refuse an ``--out`` folder that cannot be made, before any work: a file of that
    name, or a file where one of its parent folders should be."""
    if not out.strip():
        raise CLIError("--out is empty; give the name of a folder to write the files into")
    path = os.path.abspath(out)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent
    if not os.path.isdir(path):
        where = "is a file" if path == os.path.abspath(out) else f"is inside {path}, a file"
        raise CLIError(f"--out {out} {where}, not a folder; give the name of a folder to "
                       f"write the files into")


def cmd_demo(args: argparse.Namespace) -> int:
    from nn.demo import run_demo

    _check_out_folder(args.out)
    run_demo(args.out, seed=args.seed, progress=args.progress)
    return 0


_DEFAULT_LR = {"perceptron": 0.1, "adaline": 0.02, "mlp": 0.01}


def _check_train_args(args: argparse.Namespace, classes: int) -> None:
    if args.model == "mlp":
        return
    # options of an MLP's hidden layers, refused rather than ignored for a single unit
    # (--hidden none and --dropout 0 say what a perceptron is anyway)
    for option, given in (("--hidden", args.hidden), ("--activation", args.activation)):
        if given:
            raise CLIError(f"{option} applies to the hidden layers of an mlp; "
                           f"{with_article(args.model)} has none")
    if classes != 2:
        raise CLIError(f"{with_article(args.model)} is a binary classifier (one output unit) "
                       f"but --data {args.data} has {classes} classes; use --model mlp")
    if args.dropout:
        raise CLIError(f"--dropout applies to the hidden layers of an mlp; "
                       f"{with_article(args.model)} has none")


def _train_split(args: argparse.Namespace, X: np.ndarray, y: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(train rows, validation rows, record)`` of ``train``'s stratified split
    (``training_split``), once ``--val-split`` is known to leave neither part empty."""
    val_split = args.val_split if args.val_split is not None else (
        0.0 if args.data.name == "xor" else 0.2)
    n = len(X)
    held = held_out(n, val_split)
    if val_split > 0 and not 1 <= held <= n - 1:
        what = "no sample" if held == 0 else f"all {_count(n, 'sample')}, leaving none to train on"
        least = fewest_samples_to_split(val_split)  # (None: more than a million)
        need = (f"it needs at least {least} samples" if least else
                "it needs more than a million samples")
        use = [f"--n-samples {least} or more"] if least and not args.data.fixed else []
        use += [f"a --val-split from {1 / n:.3g} to {(n - 1) / n:.3g}"]
        raise CLIError(f"--val-split {val_split!r} of {_count(n, 'sample')} holds out {what}; "
                       f"{need}: use {' or '.join(use)}, or pass --val-split 0")
    return training_split(X, y, val_split, args.seed)


def _train_spec(args: argparse.Namespace, n_in: int, classes: int, record: dict[str, Any]
                ) -> ModelSpec:
    mlp = args.model == "mlp"  # else a single unit (_check_train_args refused --hidden)
    return ModelSpec(args.model, n_in, classes if mlp else 1,
                     hidden=((16, 16) if args.hidden is None else args.hidden) if mlp else (),
                     activation=(args.activation or "relu") if mlp else "step",
                     dropout=args.dropout, data=str(args.data.absolute()),
                     target=args.data.target, training_data=record)


def cmd_train(args: argparse.Namespace) -> int:
    from nn.training import evaluate, fit

    _check_out_folder(args.out)
    X, y = _load(args.data, args.n_samples, args.seed)
    classes = int(y.max()) + 1
    _check_train_args(args, classes)
    i_tr, i_val, record = _train_split(args, X, y)
    spec = _train_spec(args, X.shape[1], classes, record)
    model = build_model(spec, seed=args.seed)
    opt_name = args.optimizer or ("adam" if args.model == "mlp" else "sgd")
    lr = args.lr if args.lr is not None else _DEFAULT_LR[args.model]
    opt_kw = {"lr": lr, **({"weight_decay": args.weight_decay} if args.weight_decay else {})}
    optimizer = get_optimizer(opt_name, model.parameters(), **opt_kw)
    loss_fn = loss_for(spec)
    train = (X[i_tr], targets_for(spec, y[i_tr]))
    val = (X[i_val], targets_for(spec, y[i_val])) if len(i_val) else None
    decay = f", weight decay {args.weight_decay:g}" if args.weight_decay else ""
    _say(f"training {spec.describe()} on {args.data} ({len(i_tr)} training, "
         f"{_count(len(i_val), 'validation sample')}, {classes} classes)",
         f"  loss {spec.loss_name}, optimizer {opt_name} (lr {lr:g}{decay}), "
         f"{_count(args.epochs, 'epoch')}, batch size {args.batch_size}, seed {args.seed}")
    os.makedirs(args.out, exist_ok=True)
    start = time.perf_counter()
    history = fit(model, loss_fn, optimizer, train, epochs=args.epochs,
                  batch_size=args.batch_size, val=val,
                  # a bar redrawn with \r is noise in a log file or a pipe
                  progress=not args.no_progress and sys.stderr.isatty(), seed=args.seed)
    seconds = time.perf_counter() - start
    final = {"train_" + k: v for k, v in evaluate(model, loss_fn, train).items()}
    if val is not None:
        final.update({"val_" + k: v for k, v in evaluate(model, loss_fn, val).items()})
    _say(f"done in {seconds:.1f} s; final metrics (eval mode, after the last epoch):",
         *(f"  {k:<16}{v:.4f}" for k, v in final.items()))
    npz, js, *others = save_run(model, spec, history, final, seconds, args.out, str(args.data))
    _say("wrote:", f"  {npz}  (weights: nn.load)", f"  {js}  (architecture)",
         *(f"  {p}" for p in others))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from nn.training import evaluate

    model, spec = load_model(args.model)
    data = _data_for(spec, args, default_seed=1)
    X, y = data.load()
    _check_features(spec, X, data)
    _check_classes(spec, y, data)
    X, y, split, seen, what = _evaluation_split(spec, args.split, data, X, y)
    metrics = evaluate(model, loss_for(spec), (X, targets_for(spec, y)))
    result = {"model": spec.describe(), "data": str(data), "samples": len(X),
              "split": split, "includes_training_samples": seen,
              "loss_function": spec.loss_name, **metrics}
    if args.json:
        print(json.dumps(result))
    else:
        source = " (from model.json)" if data.recorded else ""
        _say(f"{spec.describe()} on {data}{source} ({what}):",
             *(f"  {k:<10}{v:.4f}" for k, v in metrics.items()))
    return 0


def _evaluation_split(spec: ModelSpec, split: str | None, data: _Data, X: np.ndarray,
                      y: np.ndarray) -> tuple[np.ndarray, np.ndarray, str, bool | None, str]:
    """The samples ``evaluate`` scores: ``(X, y, split, includes_training_samples, what)``.

    Scoring a model on the samples it was trained on overstates it (digits: 0.994 on all
    1797 against 0.972 on the held-out 360). When ``--data`` is the training run's data set
    (same fingerprint, so the same files, or a point cloud drawn with the same seed and
    size) the default is the validation split the run held out, rebuilt from the seed
    and fraction in model.json (``ModelSpec.validation_rows``); ``--split all`` scores
    everything and says so.
    """
    td = spec.training_data
    n = len(X)
    same = spec.trained_on(X, y)
    if same and td["val_samples"] and split in (None, "val"):
        try:
            i_val = spec.validation_rows(y)
        except ModelSpecError:
            raise CLIError(f"the validation split of --data {data} rebuilt from "
                           f"model.json does not match its record (edited, or computed "
                           f"differently now); pass --split all to score all {n} samples, "
                           f"including the training samples") from None
        return (X[i_val], y[i_val], "validation", False,
                f"validation split of the training run: {_count(len(i_val), 'sample')}")
    if same:
        if split == "val":
            raise CLIError(f"--split val: the training run held nothing out of --data "
                           f"{data} (--val-split 0), so there is no validation split")
        n_train = n - td["val_samples"]
        return X, y, "all", True, (f"all {n} samples, including the {n_train} the model was "
                                   f"trained on")
    if same is None:  # model.json from before the record: which rows were held out is unknown
        if split == "val":
            raise CLIError("--split val: model.json predates the record of the training split, "
                           "so which samples training held out is unknown; retrain, or drop "
                           "--split")
        if spec.data == str(data):
            drawn = ("" if data.spec.fixed
                     else " if --seed and --n-samples are the training run's")
            return X, y, "all", None, (f"all {n} samples; model.json does not record the "
                                       f"training split, so they may include the training "
                                       f"samples{drawn}")
        return X, y, "all", False, _count(n, "sample")
    if split == "val":
        drawn = "" if data.spec.fixed else f" (seed {data.seed}, {n} samples)"
        raise CLIError(f"--split val: --data {data}{drawn} is not the data set the "
                       f"model was trained on ({_trained_on(spec)}), so it has no validation "
                       f"split; drop --split")
    return X, y, "all", False, _count(n, "sample")


def _trained_on(spec: ModelSpec) -> str:
    td = spec.training_data
    assert td is not None  # (callers handle a model.json without the record)
    if DataSpec.parse(spec.data).fixed:
        return f"{spec.data}, {td['samples']} samples"
    return f"{spec.data}, {td['samples']} samples drawn with seed {td['seed']}"


def _graph_path(args: argparse.Namespace) -> tuple[str, str]:
    """``(path, format)`` of the drawing from ``--out`` and ``--format``."""
    fmt, out = args.format, args.out
    if out is None:
        fmt = fmt or "png"
        folder = args.model if os.path.isdir(args.model) else os.path.dirname(args.model)
        return os.path.join(folder or ".", f"graph.{fmt}"), fmt
    ext = os.path.splitext(out)[1].lower().lstrip(".")
    if ext in GRAPH_FORMATS:
        if fmt is not None and fmt != ext:
            raise UsageError(f"--out {out} is a .{ext} name but --format is {fmt}")
        return out, ext
    if ext:  # g.pdf would silently become g.pdf.png
        raise UsageError(f"--out {out}: cannot write .{ext}; the graph is written as "
                         f"{' or '.join('.' + f for f in GRAPH_FORMATS)} (or give a name "
                         f"without an extension and --format)")
    fmt = fmt or "png"  # no extension: add the format's
    return f"{out}.{fmt}", fmt


def _random_inputs(spec: ModelSpec, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` standard-normal inputs with random labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, spec.n_in)), rng.integers(0, max(spec.n_out, 2), size=n)


def _graph_sample(spec: ModelSpec, args: argparse.Namespace
                  ) -> tuple[np.ndarray, np.ndarray, str]:
    """``(x, y, what)``: the sample ``graph`` draws, ``what`` names it for the title."""
    if args.random:
        for option, given in (("--data", args.data), ("--sample", args.sample),
                              ("--target", args.target), ("--n-samples", args.n_samples)):
            if given is not None:
                raise UsageError(f"--random draws a random input; it takes no {option}")
        X, y = _random_inputs(spec, 1, args.seed or 0)
        return X, y, f"a random input (standard normal) with a random label {int(y[0])}"
    data = _data_for(spec, args, default_seed=0)
    X, y = data.load()
    _check_features(spec, X, data)
    i = args.sample or 0
    if i >= len(X):
        raise UsageError(f"--sample {i}: {data} has {_count(len(X), 'sample')} "
                         f"(0 to {len(X) - 1})")
    drawn = "" if data.spec.fixed else f" (seed {data.seed})"
    return X[i:i + 1], y[i:i + 1], f"sample {i} of {data}{drawn}, label {int(y[i])}"


def cmd_graph(args: argparse.Namespace) -> int:
    model, spec = load_model(args.model)
    out, fmt = _graph_path(args)
    X, y, what = _graph_sample(spec, args)
    path = render_model_graph(model, loss_for(spec), X, targets_for(spec, y), out, fmt,
                              title=f"{spec.describe()}: the loss of {what}")
    _say(f"wrote {path}", f"  the loss of {what}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from nn.explain import save_loss_page

    model, spec = load_model(args.model)
    X, y, what = _graph_sample(spec, args)  # the sample 'graph' would draw
    path = save_loss_page(model, loss_for(spec), X, targets_for(spec, y), args.out,
                          title=f"{spec.describe()}: backpropagation of the loss of {what}")
    _say(f"wrote {path} (open it in a browser; #step=N opens at step N)",
         f"  the loss of {what}")
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    model, spec = load_model(args.model)
    if args.data is None:
        X, y = _random_inputs(spec, args.samples, args.seed)
    else:
        data = _data_for(spec, args, default_seed=args.seed)
        X, y = data.load()
        _check_features(spec, X, data)
        X, y = X[:args.samples], y[:args.samples]
    forward = model.net_input if isinstance(model, Perceptron) else None
    what = "net input z = w^T x + b, " if forward is not None else ""
    _say(f"gradcheck of {spec.describe()}: {what}loss {spec.loss_name} on "
         f"{_count(len(X), 'sample')}, {_count(model.num_parameters(), 'weight')}, float64")
    report = gradcheck_model(model, loss_for(spec), X, targets_for(spec, y), eps=args.eps,
                             atol=args.atol, rtol=args.rtol, fast=args.fast, forward=forward)
    _say(str(report))
    return 0 if report.ok else 1


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "graph": cmd_graph,
    "explain": cmd_explain,
    "gradcheck": cmd_gradcheck,
}



# --------------------------------------------------------------------------- main


def _one_line(err: BaseException) -> str:
    msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
    if isinstance(err, FileNotFoundError) and err.filename and not msg.startswith("load"):
        msg = f"no such file {err.filename!r}"
    msg = " ".join(str(msg).split())  # one line, whatever the library wrote
    return msg or type(err).__name__


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail on the closed
    pipe a second time (Python's advice for SIGPIPE in its signal module docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's capture)
        pass


def _unrecognized(parser: argparse.ArgumentParser, command: str, extra: list[str]) -> None:
    """Report options the command does not know as its own parser's error (which points to
    ``COMMAND --help``), with the nearest option name for a misspelt one."""
    import difflib

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command_parser = sub.choices[command]
    known = [o for a in command_parser._actions for o in a.option_strings]
    hint = ""
    for word in extra:
        if word.startswith("--"):
            close = difflib.get_close_matches(word.split("=")[0], known, n=1)
            if close:
                hint = f"; did you mean {close[0]}?"
                break
    command_parser.error(f"unrecognized arguments: {' '.join(extra)}{hint}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad arguments)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["demo", *argv]  # the demo is the default command
    prog = "nn-train" if os.path.basename(sys.argv[0] or "").startswith("nn-train") else PROG
    parser = build_parser(prog)
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # the subcommand's help lists its options; the top-level help does not
            _unrecognized(parser, args.command or "demo", extra)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    command = args.command or "demo"
    try:
        if getattr(args, "data", None) is not None:
            args.data = _with_target(args, args.data)  # --target goes with a CSV file only
        return COMMANDS[command](args)
    except KeyboardInterrupt:
        print(f"{prog} {command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m nn train ... | head -3`: the reader has gone
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, the status of a Unix tool stopped by a closed pipe
    except UsageError as err:
        if os.environ.get("NN_DEBUG"):
            raise
        print(f"{prog} {command}: error: {_one_line(err)} (see {prog} {command} --help)",
              file=sys.stderr)
        return 2
    except (CLIError, ValueError, TypeError, OSError, KeyError, ArithmeticError,
            ImportError, RuntimeError) as err:
        if os.environ.get("NN_DEBUG"):
            raise
        print(f"{prog} {command}: error: {_one_line(err)}", file=sys.stderr)
        return 1
