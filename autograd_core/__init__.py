"""autograd_core: a reverse-mode automatic-differentiation engine over numpy.

Build expressions from ``Value`` objects; ``backward()`` sorts the graph topologically and
accumulates gradients in reverse (backpropagation). Every primitive's forward and
derivative rules live together in ``autograd_core.ops``.
"""

from autograd_core.engine import (
    BackwardStep,
    backward_steps,
    detect_anomaly,
    enable_grad,
    gradients,
    is_grad_enabled,
    name_scope,
    no_grad,
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
from autograd_core.ops import concat, linear, nll_loss, stack, where
from autograd_core.value import Value

__all__ = [
    "BackwardStep",
    "GradcheckError",
    "GradcheckReport",
    "Value",
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
    "name_scope",
    "nll_loss",
    "no_grad",
    "numerical_grad",
    "stack",
    "topological_order",
    "value_and_grad",
    "vjp",
    "where",
]

try:  # the drawing module needs only the graphviz Python package, a runtime dependency
    from autograd_core.html import save_html  # noqa: F401
    from autograd_core.stepper import (  # noqa: F401
        ForwardStep,
        Stepper,
        forward_steps,
        save_steps,
    )
    from autograd_core.viz import draw_graph, to_dot  # noqa: F401

    __all__ += ["ForwardStep", "Stepper", "draw_graph", "forward_steps", "save_html",
                "save_steps", "to_dot"]
except ImportError:  # pragma: no cover - viz.py is being written
    pass
