"""autograd_core: a reverse-mode automatic-differentiation engine over numpy.

Build expressions from ``Value`` objects; ``backward()`` sorts the graph topologically and
accumulates gradients in reverse (backpropagation). Every primitive's forward and
derivative rules live together in ``autograd_core.ops``. The reading path: ``value.py``
(the node), ``ops/primitive.py`` (a primitive and its rules), ``engine.py``
(``topological_order`` and ``sweep``).
"""

from autograd_core import (
    methods,  # noqa: F401 (binds Value's operators and methods)
    vmath,  # math's names for Values (why: its docstring)
)
from autograd_core.engine import (
    BackwardStep,
    ForwardStep,
    backward_steps,
    forward_steps,
    gradients,
    topological_order,
)
from autograd_core.functional import grad, hessian, jacobian, jvp, value_and_grad, vjp
from autograd_core.gradcheck import (
    GradcheckError,
    GradcheckReport,
    gradcheck,
    gradgradcheck,
    numerical_grad,
)
from autograd_core.html import save_html
from autograd_core.mode import detect_anomaly, enable_grad, is_grad_enabled, name_scope, no_grad
from autograd_core.ops import array, concat, linear, logsumexp, nll_loss, stack, where
from autograd_core.stepper import Stepper, save_steps
from autograd_core.value import Value
from autograd_core.viz import draw_graph, to_dot

__all__ = [
    "BackwardStep",
    "ForwardStep",
    "Stepper",
    "draw_graph",
    "forward_steps",
    "save_html",
    "save_steps",
    "to_dot",
    "GradcheckError",
    "GradcheckReport",
    "Value",
    "array",
    "backward_steps",
    "concat",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "gradients",
    "hessian",
    "is_grad_enabled",
    "jacobian",
    "jvp",
    "linear",
    "logsumexp",
    "name_scope",
    "nll_loss",
    "no_grad",
    "numerical_grad",
    "stack",
    "topological_order",
    "value_and_grad",
    "vjp",
    "vmath",
    "where",
]
