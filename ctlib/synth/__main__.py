"""Command line: ``python -m ctlib.synth`` builds the synthetic data set (``make data``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ctlib.synth.dataset import generate, load_recipe, make_sample, repo_data_dir


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and build the set (and, if asked, the committed sample)."""
    parser = argparse.ArgumentParser(prog="python -m ctlib.synth", description=__doc__)
    parser.add_argument("--out", type=Path, default=repo_data_dir() / "synthetic")
    parser.add_argument("--recipe", type=Path, default=None, help="default: data/recipe.toml")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--sample",
        type=Path,
        default=None,
        help="also copy the key slices into this folder (data/sample)",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    manifest = generate(
        args.out,
        recipe=load_recipe(args.recipe),
        workers=args.workers,
        progress=not args.no_progress,
    )
    seconds = time.perf_counter() - start
    print(
        f"{manifest['images']} images in {len(manifest['series'])} series, "
        f"{manifest['label_rows']} label rows, written in {seconds:.0f} s"
    )
    if args.sample is not None:
        sample = make_sample(args.out, args.sample)
        print(f"sample: {sample['images']} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
