"""PyTorch's keyword spellings accepted beside NumPy's: ``dim=`` for ``axis=``, ``keepdim=`` for ``keepdims=``.

NumPy's names are the primary ones (the chapter's arrays are NumPy arrays);
a function wrapped by ``accept_torch_keywords`` also takes PyTorch's, and a
keyword it does not know raises a ``TypeError`` that lists the ones it
accepts. A call that uses only the function's own keywords goes straight
through after one set comparison, so the hot path stays as it was.
"""
import functools
import inspect

#: PyTorch's spelling -> NumPy's spelling.
TORCH_SPELLINGS = {"dim": "axis", "keepdim": "keepdims"}


def accept_torch_keywords(function):
    """``function`` with ``dim=``/``keepdim=`` accepted for ``axis=``/``keepdims=``, and clear keyword errors."""
    parameters = inspect.signature(function).parameters
    named = [name for name, parameter in parameters.items()
             if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)]
    own = frozenset(named)
    listed = tuple(named[1:])  # the first is the tensor itself (or self), never given by name
    takes_any_keyword = any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters.values())
    if takes_any_keyword:
        return function

    @functools.wraps(function)
    def with_torch_keywords(*args, **kwargs):
        if kwargs.keys() <= own:
            return function(*args, **kwargs)
        return function(*args, **_translated(kwargs, own, listed, function.__name__))

    return with_torch_keywords


def _translated(kwargs, own, listed, function_name):
    """``kwargs`` with PyTorch's spellings renamed to NumPy's; a TypeError for any keyword not accepted."""
    translated = {}
    for name, value in kwargs.items():
        if name in own:
            translated[name] = value
            continue
        numpy_name = TORCH_SPELLINGS.get(name)
        if numpy_name is None or numpy_name not in own:
            torch_names = [torch for torch, numpy in TORCH_SPELLINGS.items() if numpy in own]
            also = f" (and PyTorch's {', '.join(torch_names)})" if torch_names else ""
            raise TypeError(f"{function_name}() got an unexpected keyword argument {name!r}; "
                            f"it accepts: {', '.join(listed)}{also}")
        if numpy_name in kwargs:
            raise TypeError(f"{function_name}() got both {numpy_name}= and its PyTorch spelling {name}=; "
                            "give one of them")
        translated[numpy_name] = value
    return translated
