"""How many planted instructions in disguise the injection check withholds, and how much
ordinary text it flags by mistake, on the hand-written variant sets in tests/data.

    .venv/bin/python benchmarks/injection.py

"attacks"/"benign" are the sets the patterns were built from; "heldout_" ones were written
afterwards and measured once: report those as the rate on unseen wordings.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.answer.injection import flag_injections  # noqa: E402
from retrieval.sentences import split_sentences  # noqa: E402


def flags(text: str) -> list[bool]:
    return flag_injections([s.text for s in split_sentences(text)])


def main() -> None:
    data = json.loads((ROOT / "tests" / "data" / "injection_variants.json").read_text())
    for key in ("attacks", "heldout_attacks"):
        caught, tried = Counter(), Counter()
        for a in data[key]:
            tried[a["category"]] += 1
            caught[a["category"]] += all(flags(a["text"]))
        total = sum(caught.values())
        print(f"{key}: {total}/{len(data[key])} withheld ({total / len(data[key]):.0%})")
        for cat in sorted(tried):
            print(f"  {cat}: {caught[cat]}/{tried[cat]}")
    for key in ("benign", "heldout_benign"):
        wrong = [b["text"] for b in data[key] if any(flags(b["text"]))]
        print(f"{key}: {len(wrong)}/{len(data[key])} flagged by mistake {wrong}")


if __name__ == "__main__":
    main()
