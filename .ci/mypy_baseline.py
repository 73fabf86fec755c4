"""mypy on the Django side against a baseline that may shrink but never grow.

    python .ci/mypy_baseline.py            # fails on any error not in .ci/mypy-baseline.txt
    python .ci/mypy_baseline.py --update   # rewrite the baseline (only ever to remove lines)

Errors are compared without line numbers (path, message and code), counted, so moving code
does not break the check but a new error does.
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
TARGETS = ["tracker", "dashboards", "config"]
LINE = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<rest>.*)$")


def current_errors():
    run = subprocess.run(
        [sys.executable, "-m", "mypy", *TARGETS], cwd=ROOT, capture_output=True, text=True
    )
    errors = Counter()
    for line in run.stdout.splitlines():
        match = LINE.match(line)
        if match:
            errors[f"{match['path']}: {match['rest']}"] += 1
    if run.returncode not in (0, 1) or (run.returncode == 1 and not errors):
        sys.exit(f"mypy did not run:\n{run.stdout}\n{run.stderr}")
    return errors


def main():
    errors = current_errors()
    if "--update" in sys.argv:
        BASELINE.write_text("".join(f"{e}\n" for e in sorted(errors.elements())), "utf-8")
        print(f"baseline: {sum(errors.values())} errors")
        return
    baseline = Counter(BASELINE.read_text("utf-8").splitlines()) if BASELINE.exists() else Counter()
    new = errors - baseline
    fixed = baseline - errors
    print(f"mypy: {sum(errors.values())} errors, baseline {sum(baseline.values())}")
    if fixed:
        print(f"{sum(fixed.values())} baseline errors are gone: shrink it with --update")
    if new:
        print("new errors (fix them; the baseline never grows):")
        for error in sorted(new.elements()):
            print(f"  {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
