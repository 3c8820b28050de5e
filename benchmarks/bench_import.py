"""How long `import ctlib` takes, beside the libraries it cannot do without (make bench).

Each figure is the median of 7 fresh interpreters, measured in the same run: `import
pydicom, numpy` (the floor), then `import ctlib` on top of them. Nothing here is a
test (timings depend on the machine); tests/test_api.py checks that no plotting,
widget or table library is loaded.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

CODE = """
import time
start = time.perf_counter()
import numpy, pydicom
middle = time.perf_counter()
import ctlib
end = time.perf_counter()
print(middle - start, end - middle)
"""


def main() -> int:
    runs = [tuple(map(float, subprocess.run([sys.executable, "-c", CODE], check=True,
                                            capture_output=True, text=True).stdout.split()))
            for _ in range(7)]
    floor = statistics.median(r[0] for r in runs)
    ours = statistics.median(r[1] for r in runs)
    print(f"import numpy, pydicom: {floor:.3f} s; then import ctlib: {ours:.3f} s more; "
          f"total {floor + ours:.3f} s (target <= 0.3 s; ctlib's share {ours / floor:.2f}x "
          "of the floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
