"""Is this environment ready for the course? Versions against what pyproject.toml asks."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import Requirement

__all__ = ["check_environment", "print_environment"]

#: Packages whose absence makes a notebook fail, in the order they are reported.
_COURSE = ("numpy", "pydicom", "scipy", "scikit-image", "matplotlib", "pandas", "ipywidgets",
           "jupyterlab", "pillow", "tqdm", "nilearn")


def check_environment() -> list[tuple[str, str | None, str, bool]]:
    """Compare installed versions with the ranges ``ctlib`` declares.

    Returns
    -------
    list of (package, installed version or None, required range, ok)

    Examples
    --------
    >>> rows = check_environment()
    >>> rows[0][0], rows[0][3]
    ('numpy', True)
    """
    wanted = {Requirement(r.split(";")[0]).name.lower(): Requirement(r.split(";")[0])
              for r in requires("ctlib") or []}
    rows = []
    for name in _COURSE:
        requirement = wanted.get(name)
        parts = sorted((str(s) for s in requirement.specifier), key=lambda s: s[0] != ">") if requirement else []
        spec = ",".join(parts)
        try:
            installed: str | None = version(name)
        except PackageNotFoundError:
            installed = None
        ok = installed is not None and (requirement is None or requirement.specifier.contains(
            installed, prereleases=True))
        rows.append((name, installed, spec or "any", ok))
    return rows


def print_environment() -> bool:
    """Print ✓/✗ per package; return whether everything is ready.

    Returns
    -------
    bool
    """
    rows = check_environment()
    for name, installed, spec, ok in rows:
        mark = "✓" if ok else "✗"
        print(f"{mark} {name:13s} {installed or 'missing':10s} (needs {spec})")
    ready = all(ok for *_, ok in rows)
    print("Ready." if ready else "Something is missing: run `make lab` again, or see README.md.")
    return ready
