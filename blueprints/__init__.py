"""The domains of the product, one package each.

A domain package is mounted by defining ``init_app(app, api)`` in its ``__init__.py``;
``register_all`` finds every package here, so adding a domain touches no core file.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def domain_packages() -> list[ModuleType]:
    """Every domain package, in name order (imports its models too)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.ispkg:
            found.append(importlib.import_module(f"{__name__}.{info.name}"))
    return found


def load_models() -> None:
    """Import every domain's models so the metadata is complete (migrations, tests)."""
    for package in domain_packages():
        try:
            importlib.import_module(f"{package.__name__}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package.__name__}.models":
                raise


def register_all(app: Flask, api: Api) -> None:
    load_models()
    for package in domain_packages():
        init = getattr(package, "init_app", None)
        if init is not None:
            init(app, api)
