"""PyTorch's keyword spellings accepted beside NumPy's: ``dim=`` for ``axis=``, ``keepdim=`` for ``keepdims=``.

NumPy's names are the primary ones (the chapter's arrays are NumPy arrays);
a function wrapped by ``accept_torch_keywords`` also takes PyTorch's, and a
keyword it does not know raises a ``TypeError`` that lists the ones it
accepts.

The wrapper is generated with the wrapped function's own parameters plus
``**torch_names``, so a call with NumPy's keywords costs one plain extra call
(tens of nanoseconds) rather than the packing of a generic
``*args, **kwargs`` wrapper (several hundred, against a few microseconds
for a reduction).
"""
import functools
import inspect

#: PyTorch's spelling -> NumPy's spelling.
TORCH_SPELLINGS = {"dim": "axis", "keepdim": "keepdims"}

_TEMPLATE = '''
def {name}({parameters}, **torch_names):
    if torch_names:
        {names}, = rename(torch_names, ({names},))
    {missing_check}
    return function({names})
'''
_MISSING_CHECK = "if {condition}: raise missing({names})"


class _Missing:
    # the default of a required parameter after the first, so that dim= may stand for a required axis
    def __repr__(self):
        return "<required>"


MISSING = _Missing()


def accept_torch_keywords(function):
    """``function`` with ``dim=``/``keepdim=`` accepted for ``axis=``/``keepdims=``, and clear keyword errors.

    ``function`` must take only positional-or-keyword parameters, one of them
    named ``axis`` (the reductions, joins and axis-taking methods).
    """
    parameters = list(inspect.signature(function).parameters.values())
    if any(parameter.kind is not parameter.POSITIONAL_OR_KEYWORD for parameter in parameters):
        raise TypeError(f"accept_torch_keywords: {function.__name__} must take only positional-or-keyword "
                        "parameters")
    names = [parameter.name for parameter in parameters]
    if "axis" not in names:
        raise TypeError(f"accept_torch_keywords: {function.__name__} has no axis parameter")
    defaults = {f"default_{parameter.name}": MISSING if parameter.default is parameter.empty else parameter.default
                for parameter in parameters[1:]}
    signature = ", ".join([names[0]] + [f"{name}=default_{name}" for name in names[1:]])
    unset = [None] + [defaults[f"default_{name}"] for name in names[1:]]
    required = [name for name in names[1:] if defaults[f"default_{name}"] is MISSING]
    missing_check = _MISSING_CHECK.format(condition=" or ".join(f"{name} is MISSING" for name in required),
                                          names=", ".join(required)) if required else ""
    namespace = dict(defaults, function=function, MISSING=MISSING, rename=_renamer(function.__name__, names, unset),
                     missing=_missing_error(function.__name__, required))
    source = _TEMPLATE.format(name=function.__name__, parameters=signature, names=", ".join(names),
                              missing_check=missing_check)
    exec(source, namespace)
    return functools.wraps(function)(namespace[function.__name__])


def _missing_error(function_name, required):
    def missing(*values):
        absent = [name for name, value in zip(required, values) if value is MISSING]
        spelled = [f"{name}" + (f" (or {torch})" if (torch := _torch_spelling(name)) else "") for name in absent]
        return TypeError(f"{function_name}() missing required argument(s): {', '.join(spelled)}")

    return missing


def _torch_spelling(numpy_name):
    return next((torch for torch, numpy in TORCH_SPELLINGS.items() if numpy == numpy_name), None)


def _renamer(function_name, names, unset):
    """The function that puts PyTorch-spelled keywords in the place of NumPy's, or names the accepted ones."""
    positions = {name: index for index, name in enumerate(names)}
    torch_names = [torch for torch, numpy in TORCH_SPELLINGS.items() if numpy in positions]
    accepted = ", ".join(names[1:]) + (f" (and PyTorch's {', '.join(torch_names)})" if torch_names else "")

    def rename(torch_keywords, values):
        values = list(values)
        for name, value in torch_keywords.items():
            numpy_name = TORCH_SPELLINGS.get(name)
            if numpy_name is None or numpy_name not in positions:
                # names[0] is the tensor itself (or self), never given by name
                raise TypeError(f"{function_name}() got an unexpected keyword argument {name!r}; "
                                f"it accepts: {accepted}")
            position = positions[numpy_name]
            if values[position] is not unset[position]:
                raise TypeError(f"{function_name}() got both {numpy_name}= and its PyTorch spelling {name}=; "
                                "give one of them")
            values[position] = value
        return values

    return rename
