"""ModuleList and ModuleDict: sub-modules held in a list or a dict and registered like attributes.

A Module finds its parameters through the sub-modules assigned to it as
attributes. Layers kept in a plain Python list or dict are invisible to it:
``parameters()`` would leave them out and an optimiser would never update
them (assigning such a list warns). These containers register every module
they hold, under the names "0", "1", ... or the dict's keys, so that
``parameters()``, ``state_dict()``, ``to()`` and ``train()``/``eval()`` reach them.
"""
from .module import Module


def _checked(module, container):
    if not isinstance(module, Module):
        raise TypeError(f"{container} holds Modules, got {type(module).__name__}")
    return module


class ModuleList(Module):
    """A list of sub-modules: ``self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])``.

    It has no ``forward`` of its own: loop over it in the owner's forward.
    """

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module):
        """Add ``module`` at the end (registered as the next index)."""
        setattr(self, str(len(self._modules)), _checked(module, "ModuleList"))
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, _checked(module, "ModuleList"))
        self._renumber(modules)

    def _renumber(self, modules):
        self._modules.clear()
        for module in modules:
            self.append(module)

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[index]

    def __setitem__(self, index, module):
        modules = list(self._modules.values())
        modules[index] = _checked(module, "ModuleList")
        self._renumber(modules)

    def __delitem__(self, index):
        modules = list(self._modules.values())
        del modules[index]
        self._renumber(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules.values()))

    def forward(self, *inputs):
        raise TypeError("ModuleList has no forward: iterate over it in your module's forward "
                        "(for layer in self.layers: x = layer(x)), or use nn.Sequential")


class ModuleDict(Module):
    """A dict of sub-modules under string keys: ``nn.ModuleDict({"encoder": ..., "head": ...})``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key, module):
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict keys are non-empty strings without dots (they become parts of dotted "
                           f"parameter names), got {key!r}")
        if key in self.__dict__ or hasattr(type(self), key):
            raise KeyError(f"ModuleDict key {key!r} would hide an attribute of the container; choose another")
        setattr(self, key, _checked(module, "ModuleDict"))

    def __getitem__(self, key):
        return self._modules[key]

    def __delitem__(self, key):
        del self._modules[key]

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules))

    def keys(self):
        return list(self._modules.keys())

    def values(self):
        return list(self._modules.values())

    def items(self):
        return list(self._modules.items())

    def update(self, modules):
        """Add the modules of a dict (or of (key, module) pairs)."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module
        return self

    def pop(self, key):
        return self._modules.pop(key)

    def forward(self, *inputs):
        raise TypeError("ModuleDict has no forward: call the module you need, such as self.heads['digit'](x)")
