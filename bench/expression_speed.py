"""Speed of the expression evaluator on the demo form's own conditions: the tree walker against the compiled form.

    .venv/bin/python bench/expression_speed.py

Every ``relevant``, ``constraint`` and ``required`` expression of the demo survey is evaluated against one
plausible set of answers, as validation does it: ``to_boolean(evaluate(parse(text), ...))`` for the tree walker,
``compile_condition(text)(...)`` for the compiled closures. Prints nanoseconds per condition (best of 5 rounds).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult.surveys import expressions as ex  # noqa: E402
from consult.surveys.demo_form import build_demo_xlsform  # noqa: E402
from consult.surveys.xlsform import import_xlsform  # noqa: E402


def main(rounds: int = 2000) -> None:
    form = import_xlsform(build_demo_xlsform())
    texts = [(p.relevant, None) for p in form.pages if p.relevant]
    for q in form.questions():
        for text in (q.relevant, q.constraint, q.required if isinstance(q.required, str) else None):
            if text:
                texts.append((text, q))
    rng = random.Random(1)
    answers: dict = {"consent": "yes"}
    for q in form.questions():
        names = [c.name for c in form.choices(q)] if q.is_select else []
        if q.type.startswith("select_multiple"):
            answers[q.name] = rng.sample(names, 2)
        elif names:
            answers.setdefault(q.name, rng.choice(names))
        elif q.type == "integer":
            answers[q.name] = 4
        elif q.type == "date":
            answers[q.name] = "2024-05-01"
    cases = [(text, answers.get(q.name) if q is not None else None) for text, q in texts]

    def walker() -> None:
        for text, current in cases:
            ex.to_boolean(ex.evaluate(ex.parse(text), answers, current=current))

    def compiled() -> None:
        for text, current in cases:
            ex.compile_condition(text)(answers, current, None)

    print(f"{len(cases)} conditions of the demo form")
    for name, run in (("tree walker", walker), ("compiled", compiled)):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(rounds):
                run()
            best = min(best, time.perf_counter() - start)
        print(f"{name:12s} {best / rounds / len(cases) * 1e9:8.0f} ns a condition")


if __name__ == "__main__":
    main()
