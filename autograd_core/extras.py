"""Optional dependencies, imported on first use with an error that names the extra to install.

NumPy is the only required dependency. Heavier libraries (Ray, Optuna, matplotlib, ...) are
extras of the distribution; code that needs one calls ``require`` where it needs it, so that
``import autograd_core`` stays light and a missing extra is reported in one sentence.

>>> ray = require("ray", extra="distributed")
"""
import importlib


def require(module_name, extra, purpose=None):
    """Import ``module_name``, or raise ``ImportError`` naming the extra that installs it.

    ``extra`` is the name in ``pip install -e ".[extra]"``; ``purpose`` says what needs it.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        needed_for = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"{module_name} is needed{needed_for} but is not installed: install the extra with "
            f"pip install -e \".[{extra}]\" from a clone (or pip install {module_name.split('.')[0]})"
        ) from error


def ray_session(address=None, **init_options):
    """The ``ray`` module, connected: reuse a running Ray, else ``ray.init`` locally or at ``address``.

    The same script runs on a laptop (no ``address``: a local Ray with this machine's cores) and on
    a cluster (``address="auto"`` or ``"ray://host:10001"``). ``init_options`` go to ``ray.init``
    when this call starts Ray (``num_cpus=2`` in tests, for example).
    """
    ray = require("ray", extra="distributed", purpose="parallel training and search on Ray")
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, **init_options)
    return ray
