"""``Module``, ``Parameter``, ``ModuleList`` and ``Sequential``: PyTorch's conventions.

A ``Parameter`` is a ``Value`` that requires grad. A ``Module`` notices every Parameter
and every sub-Module assigned to one of its attributes, in assignment order, so
``parameters()`` finds all the weights of a network, ``named_parameters()`` names them
with dotted paths (``"layers.0.weight"``), and ``state_dict()`` / ``load_state_dict()``
save and restore them by those names.

Nothing here knows a derivative: a module's ``forward`` composes ``Value`` operations and
``loss.backward()`` does the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd_core import Value, name_scope

__all__ = ["IncompatibleKeys", "Module", "ModuleList", "Parameter", "Sequential"]


class Parameter(Value):
    """A trainable weight: a ``Value`` with ``requires_grad=True``, found by ``Module``.

    ``Parameter(data, label=None)``. The data keeps its float dtype (float32 stays float32);
    numbers, lists and integer arrays become float64, as for every ``Value``.
    """

    __slots__ = ()

    def __init__(self, data: Any, label: str | None = None) -> None:
        super().__init__(data, requires_grad=True, label=label)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Value") :]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _indent(text: str, spaces: int = 2) -> str:
    pad = " " * spaces
    return text.replace("\n", "\n" + pad)


class Module:
    """Base class of every layer and network.

    Subclasses call ``super().__init__()`` first, assign Parameters and sub-Modules as
    attributes (a ``list`` of Modules is wrapped in a ``ModuleList`` so it registers too),
    and define ``forward``. A registered parameter's name takes only a new Parameter or
    None (which unregisters it). Call the module, not ``forward``: ``__call__`` opens a
    ``name_scope`` named after the layer (``Linear(2→16)``), so graph drawings group the
    layer's ops in one box.
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__(): call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        modules = self.__dict__["_modules"]
        if name in params and not isinstance(value, Parameter | None):
            # PyTorch refuses this too: the weight would silently leave parameters(),
            # state_dict() and nn.save, and forward would use whatever was assigned
            raise TypeError(_not_a_parameter(self, name, value))
        if not isinstance(value, Parameter):
            params.pop(name, None)
        modules.pop(name, None)
        if isinstance(value, list) and value and all(isinstance(m, Module) for m in value):
            value = ModuleList(value)
        elif (isinstance(value, list) and value and all(isinstance(p, Parameter) for p in value)
              and not _all_registered(self, value)):
            value = ParameterList(value)  # micrograd's Neuron keeps its weights so: self.w
        if isinstance(value, Parameter):
            params[name] = value  # a new Parameter for a registered name keeps its place
            if value.label is None:  # graph drawings name it after its attribute
                value.label = name
        elif isinstance(value, Module):
            modules[name] = value
            _label_by_path(name, value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Same as ``setattr(self, name, param)``, for names made at run time."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter({name!r}): expected a Parameter, got "
                            f"{type(param).__name__}")
        setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Same as ``setattr(self, name, module)``, for names made at run time."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module({name!r}): expected a Module, got "
                            f"{type(module).__name__}")
        setattr(self, name, module)

    # ------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def _scope_name(self) -> str:
        """The name of this layer in graph drawings (e.g. ``Linear(2→16)``)."""
        return type(self).__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with name_scope(self._scope_name()):
            return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ traversal
    def children(self) -> Iterator[Module]:
        """The direct sub-Modules, in assignment order."""
        yield from self._modules.values()

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (name ``prefix``) and every sub-Module below it, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in mod._modules.items()
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs, depth first in assignment order.

        A Parameter shared by two layers (tied weights) appears once, under its first name.
        """
        seen: set[int] = set()
        for mod_name, mod in self.named_modules(prefix):
            for name, p in mod._parameters.items():
                if id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Parameter]:
        """Every Parameter of this module and its sub-Modules, each once."""
        for _, p in self.named_parameters():
            yield p

    def num_parameters(self) -> int:
        """The number of scalar weights."""
        return sum(p.data.size for p in self.parameters())

    # ------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active) on this module and all below; returns self.

        ``mode`` must be a bool: ``bool("eval")`` is True, so a string would silently
        mean training.
        """
        if not isinstance(mode, bool | np.bool_):
            hint = "; use model.eval()" if isinstance(mode, str) else ""
            raise TypeError(f"train(mode): mode must be True or False, got {mode!r}{hint}")
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout off), recursively; returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's accumulated gradient (set to None, PyTorch's default).

        ``None`` rather than zeros: the next ``backward()`` stores its gradient without
        adding it to an array of zeros.
        """
        for p in self.parameters():
            p.zero_grad()

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """``{dotted name: copy of the parameter's data}``, in ``named_parameters`` order.

        Copies, not views: a state dict is a snapshot (early stopping can keep the best
        one while the optimiser keeps changing the weights in place).
        """
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy arrays into the parameters, in place, after checking every one of them.

        Every key, shape and dtype is checked before anything is written, so on any error
        the module is left exactly as it was. ``strict`` (default) requires the keys to
        match exactly; with ``strict=False`` missing and unexpected keys are skipped and
        reported in the returned ``IncompatibleKeys``. Shapes and dtypes must always match.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, got "
                f"{type(state_dict).__name__}"
            )
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing keys {missing}")
            if unexpected:
                parts.append(f"unexpected keys {unexpected}")
            raise KeyError(
                f"load_state_dict for {type(self).__name__}: " + " and ".join(parts)
                + f" (the model has {list(own)})"
            )
        updates: list[tuple[Parameter, np.ndarray]] = []
        for name, p in own.items():
            if name not in state_dict:
                continue
            arr = state_dict[name]
            if isinstance(arr, Value):
                arr = arr.data
            if isinstance(arr, np.generic):  # a scalar parameter's own data (np.float64)
                arr = np.asarray(arr)
            if not isinstance(arr, np.ndarray):
                raise TypeError(
                    f"load_state_dict: {name!r} is a {type(arr).__name__}, expected a numpy "
                    "array"
                )
            if arr.shape != p.data.shape:
                raise ValueError(
                    f"load_state_dict: shape mismatch for {name!r}: the model has "
                    f"{p.data.shape}, the state dict has {arr.shape}"
                )
            if arr.dtype != p.data.dtype:
                raise TypeError(
                    f"load_state_dict: dtype mismatch for {name!r}: the model has "
                    f"{p.data.dtype}, the state dict has {arr.dtype}"
                )
            updates.append((p, arr))
        for p, arr in updates:  # every check passed: nothing below can fail
            if isinstance(p.data, np.ndarray):
                p.data[...] = arr
            else:  # a numpy scalar (a Parameter made from a number) is replaced, not written
                p.data = arr[()].copy()
            p.mark_modified()  # graphs recorded with the old values can no longer backward
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The layer's own settings, shown inside its parentheses by ``repr``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = [f"({name}): {_indent(repr(m))}" for name, m in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}("
        body = ([extra] if extra else []) + lines
        return head + "\n  " + "\n  ".join(body) + "\n)"


def _not_a_parameter(module: Module, name: str, value: Any) -> str:
    """Why ``module.<name> = value`` is refused, and what to write instead."""
    how = f"`with no_grad(): layer.{name} -= ...`"
    if isinstance(module._parameters[name].data, np.ndarray):  # (a 0-d one holds a scalar)
        how += f" or `layer.{name}.data[...] = ...`"
    return (
        f"cannot assign {type(value).__name__} to parameter {name!r} of "
        f"{type(module).__name__} (a Parameter or None expected); to change its numbers "
        f"use {how}"
    )


def _all_registered(module: Module, params: list[Parameter]) -> bool:
    """Whether every one of ``params`` is a parameter of ``module`` already: a list kept
    for reference (``self.params = list(self.parameters())``) stays a plain list."""
    own = {id(p) for p in module.parameters()}
    return all(id(p) in own for p in params)


def _label_by_path(name: str, module: Module) -> None:
    """Name ``module``'s parameters by their path from the new parent, as ``state_dict``
    and the CLI do: ``weight`` becomes ``0.weight``, then ``net.0.weight`` one level up.
    Only labels that are still their path (given by attribute name) change; a label the
    user chose stays."""
    for path, p in module.named_parameters():
        if p.label == path:
            p.label = f"{name}.{path}"


# --------------------------------------------------------------------------- modes
class SavedModes:
    """Every module's own train/eval flag (the model's and each submodule's, which may
    differ: a Dropout put in eval mode inside a training model), to put back later."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.top = getattr(model, "training", None)
        modules = getattr(model, "modules", None)
        below = [m for m in modules() if m is not model] if callable(modules) else []
        self.flags = [(m, m.training) for m in below
                      if isinstance(getattr(m, "training", None), bool)]

    def restore(self) -> None:
        """The model's ``train(flag)`` (which a model may extend), then each submodule's
        own flag where that made it differ."""
        if self.top is not None:
            self.model.train(self.top)
        for m, flag in self.flags:
            if m.training != flag:
                m.training = flag


@contextlib.contextmanager
def in_mode(model: Any, training: bool) -> Iterator[None]:
    """Put the model in train or eval mode for a block, and give every module its own
    mode back afterwards."""
    saved = SavedModes(model)
    setter = getattr(model, "train", None)
    if setter is not None:
        setter(training)
    try:
        yield
    finally:
        saved.restore()


class ModuleList(Module):
    """A list of Modules that registers them (names ``"0"``, ``"1"``, ...)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        self._items: list[Module] = []
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}: item {len(self._items)} is a "
                f"{type(module).__name__}, not a Module (wrap a function with "
                "nn.activations.Lambda, or give an activation by name)"
            )
        self._modules[str(len(self._items))] = module
        _label_by_path(str(len(self._items)), module)
        self._items.append(module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):  # a new container of the same modules (not copies)
            cls = Sequential if isinstance(self, Sequential) else ModuleList
            return cls(self._items[index])
        return self._items[index]


class ParameterList(Module, Sequence):
    """A list of Parameters that registers them (names ``"0"``, ``"1"``, ...), so a
    Module may keep its weights as micrograd's Neuron does: ``self.w = [Parameter(...),
    ...]`` becomes one, and ``parameters()`` finds every weight. It reads as the list it
    was: indexing, iteration, ``len``, and ``self.w + [self.b]`` (a plain list)."""

    def __init__(self, parameters: Iterable[Parameter] | None = None) -> None:
        super().__init__()
        self._items: list[Parameter] = []
        self.extend(parameters or ())

    def append(self, param: Parameter) -> ParameterList:
        self._items.append(self._registered(len(self._items), param))
        return self

    def extend(self, params: Iterable[Parameter]) -> ParameterList:
        for p in params:
            self.append(p)
        return self

    def _registered(self, i: int, param: Any) -> Parameter:
        if not isinstance(param, Parameter):
            raise TypeError(f"ParameterList: item {i} is a {type(param).__name__}, not a "
                            f"Parameter")
        setattr(self, str(i), param)
        return param

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]  # (a slice: a plain list)

    def __setitem__(self, index: int, param: Parameter) -> None:
        if not isinstance(index, int):
            raise TypeError(f"ParameterList: assign one item at a time, by an int index, "
                            f"not a {type(index).__name__}")
        if not -len(self._items) <= index < len(self._items):
            raise IndexError(f"ParameterList: index {index} is out of range for "
                             f"{len(self._items)} Parameters (append() adds one)")
        i = index % len(self._items)
        self._items[i] = self._registered(i, param)

    def __add__(self, other: Iterable[Any]) -> list[Any]:
        return [*self._items, *other]

    def __iadd__(self, params: Iterable[Parameter]) -> ParameterList:
        return self.extend(params)

    def __radd__(self, other: Iterable[Any]) -> list[Any]:
        return [*other, *self._items]

    def extra_repr(self) -> str:
        shapes = {p.shape for p in self._items}
        each = f", each of shape {shapes.pop()}" if len(shapes) == 1 else ""
        return f"{len(self._items)} Parameters{each}"


class Sequential(ModuleList):
    """Modules applied one after the other: ``Sequential(Linear(2, 16), ReLU(), ...)``."""

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], list | tuple):
            modules = tuple(modules[0])
        super().__init__(modules)

    def forward(self, x: Any) -> Any:
        for layer in self._items:
            x = layer(x)
        return x
