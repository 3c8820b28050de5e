"""The public API keeps the house rules: annotated, documented, with examples."""

from __future__ import annotations

import inspect

import pytest

import ctlib

FUNCTIONS = sorted(
    name for name in ctlib.__all__ if inspect.isfunction(getattr(ctlib, name))
)
CLASSES = sorted(name for name in ctlib.__all__ if inspect.isclass(getattr(ctlib, name)))


def test_all_is_complete() -> None:
    """Every name in __all__ exists, and the API the later notebooks rely on is there."""
    for name in ctlib.__all__:
        assert hasattr(ctlib, name), name
    required = {"read", "first_value", "header_window", "to_hu", "Window", "PRESETS",
                "window", "to_channels", "CtlibError", "DicomError"}
    assert required <= set(ctlib.__all__)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_annotated(name: str) -> None:
    """Every parameter and the return value of a public function carry a type hint."""
    signature = inspect.signature(getattr(ctlib, name))
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name})"
    assert signature.return_annotation is not inspect.Signature.empty, name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_documented(name: str) -> None:
    """numpydoc sections, and an example that the doctest run executes."""
    doc = inspect.getdoc(getattr(ctlib, name)) or ""
    for section in ("Parameters\n----------", "Returns\n-------"):
        assert section in doc, f"{name}: no {section.splitlines()[0]} section"
    if name not in {"stored_values"}:  # needs a full image; its callers' examples cover it
        assert ">>> " in doc, f"{name}: no example"


@pytest.mark.parametrize("name", CLASSES)
def test_classes_documented(name: str) -> None:
    """Public classes say what they are."""
    assert inspect.getdoc(getattr(ctlib, name))


def test_error_hierarchy() -> None:
    """Every ctlib error is a CtlibError; argument errors are also ValueErrors."""
    for name in CLASSES:
        cls = getattr(ctlib, name)
        if issubclass(cls, Exception):
            assert issubclass(cls, ctlib.CtlibError), name
    assert issubclass(ctlib.HeaderError, ctlib.DicomError)
    assert issubclass(ctlib.ArgumentError, ValueError)


def test_import_is_light() -> None:
    """`import ctlib` loads none of the heavy libraries; the functions that need them do."""
    import subprocess
    import sys

    heavy = ("pandas", "matplotlib", "ipywidgets", "anywidget", "scipy", "nilearn", "skimage",
             "tqdm.auto", "asyncio", "concurrent.futures.process")
    code = f"import sys, ctlib; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
