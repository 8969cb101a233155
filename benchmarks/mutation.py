"""Mutation run over rules/: change one thing in a rule, run the rule's tests, see if they fail.

    python benchmarks/mutation.py                     # every rule, 2 jobs
    python benchmarks/mutation.py --rules DF306,DF203 --jobs 2
    python benchmarks/mutation.py --rules DF306 --operators branch --list   # the mutants only

Each mutant is one small change to one rule module, made on its syntax tree:

- ``compare``: ``==`` ↔ ``!=``, ``<`` ↔ ``>=``, ``>`` ↔ ``<=``, ``in`` ↔ ``not in``,
  ``is`` ↔ ``is not``;
- ``boolean``: ``and`` ↔ ``or``, ``not x`` → ``x``;
- ``branch``: the test of an ``if``, ``elif``, conditional expression, ``while`` or
  comprehension filter replaced by ``True`` and by ``False`` (``False`` deletes an exemption
  such as "a stage pinned by a constant --platform is left alone");
- ``number``: an integer ``n`` → ``n + 1``;
- ``statement``: ``continue``/``break`` → ``pass``; a call or ``yield`` statement removed.

Strings are left alone (a changed message is caught by any test of the message; a changed
keyword would mostly be noise). A mutant is *killed* when the rule's own test file
(tests/test_dfNNN_*.py) fails or times out with it, and *survives* when the file still passes;
the survival rate is survivors / mutants. Some survivors are equivalent mutants (the change
means the same, e.g. ``n + 1`` on a bound no input reaches): read them before adding a test.

rules/ is installed as ``dflint.rules`` (package-dir), so files are never edited: the runner
imports dflint, pytest and the test helpers once, then forks one child per mutant, which
puts the mutated module in place of ``dflint.rules.<module>`` with an import hook and runs
pytest on the rule's test file. Not run in CI (a full run takes tens of minutes); the figures
are in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import importlib.abc
import importlib.util
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
TESTS = ROOT / "tests"
OPERATORS = ("compare", "boolean", "branch", "number", "statement")

_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True, slots=True)
class Mutant:
    module: str  # e.g. df306_hardcoded_arch_download
    operator: str
    index: int  # the index-th candidate node of this operator in the module (walk order)
    variant: str  # what the node becomes, for the report
    line: int
    before: str  # the source of the node, for the report

    @property
    def label(self) -> str:
        return f"rules/{self.module}.py:{self.line}: {self.before} -> {self.variant}"


# --- finding and applying mutations -------------------------------------------------------


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0]))
    return found


def _candidates(tree: ast.Module, operator: str) -> Iterator[tuple[ast.AST, list[str]]]:
    """Each node ``operator`` can change, with the variants it can become."""
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if operator == "compare" and isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                if type(op) in _SWAP:
                    yield node, [f"op{position}"]
        elif operator == "boolean":
            if isinstance(node, ast.BoolOp):
                yield node, ["swap"]
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                yield node, ["drop-not"]
        elif operator == "branch":
            if isinstance(node, ast.If | ast.IfExp | ast.While):
                yield node, ["True", "False"]
            elif isinstance(node, ast.comprehension):
                for position in range(len(node.ifs)):
                    yield node, [f"if{position}"]
        elif operator == "number":
            if (
                isinstance(node, ast.Constant)
                and type(node.value) is int
                and not isinstance(node.value, bool)
            ):
                yield node, ["plus-one"]
        elif operator == "statement" and (
            isinstance(node, ast.Continue | ast.Break)
            or (
                isinstance(node, ast.Expr)
                and id(node) not in docstrings
                and isinstance(node.value, ast.Call | ast.Yield | ast.YieldFrom)
            )
        ):
            yield node, ["pass"]


def mutants(module: str, operators: Sequence[str]) -> list[Mutant]:
    source = (RULES / f"{module}.py").read_text()
    tree = ast.parse(source)
    found = []
    for operator in operators:
        for index, (node, variants) in enumerate(_candidates(tree, operator)):
            before = ast.get_source_segment(source, node) or ast.unparse(node)
            before = " ".join(before.split())
            if len(before) > 70:
                before = before[:67] + "..."
            for variant in variants:
                line = getattr(node, "lineno", 0) or _first_line(node)
                found.append(Mutant(module, operator, index, variant, line, before))
    return found


def _first_line(node: ast.AST) -> int:
    return min((getattr(n, "lineno", 10**9) for n in ast.walk(node)), default=0)


def unchanged(module: str) -> Mutant:
    """The module as it is, run through the same machinery: its tests must pass."""
    return Mutant(module, "none", 0, "unchanged", 0, "(the module as it is)")


def mutated_source(mutant: Mutant) -> str:
    tree = ast.parse((RULES / f"{mutant.module}.py").read_text())
    if mutant.operator == "none":
        return ast.unparse(tree)
    for index, (node, _) in enumerate(_candidates(tree, mutant.operator)):
        if index == mutant.index:
            _apply(tree, node, mutant.variant)
            return ast.unparse(ast.fix_missing_locations(tree))
    raise LookupError(mutant.label)


def _apply(tree: ast.Module, node: ast.AST, variant: str) -> None:
    if isinstance(node, ast.Compare):
        position = int(variant.removeprefix("op"))
        node.ops[position] = _SWAP[type(node.ops[position])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        _replace(tree, node, node.operand)
    elif isinstance(node, ast.If | ast.IfExp | ast.While):
        node.test = ast.Constant(variant == "True")
    elif isinstance(node, ast.comprehension):
        node.ifs[int(variant.removeprefix("if"))] = ast.Constant(True)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int):
        node.value = node.value + 1
    elif isinstance(node, ast.stmt):
        _replace(tree, node, ast.Pass())
    else:  # pragma: no cover - every candidate kind is handled above
        raise TypeError(type(node))


def _replace(tree: ast.Module, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, copy.copy(new))
                return
            if isinstance(value, list) and any(item is old for item in value):
                value[[id(item) for item in value].index(id(old))] = copy.copy(new)
                return
    raise LookupError("node not in tree")


# --- running the tests with a mutant ------------------------------------------------------


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``dflint.rules.<module>`` from the mutated source instead of the file."""

    def __init__(self, name: str, source: str, filename: str) -> None:
        self.name, self.source, self.filename = name, source, filename

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.filename)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = self.filename
        exec(compile(self.source, self.filename, "exec"), module.__dict__)


def _test_file(module: str) -> Path:
    return TESTS / f"test_{module}.py"


def _child(mutant: Mutant, source: str) -> int:
    """In the forked child: install the mutant, run the rule's tests, return pytest's code."""
    import pytest

    name = f"dflint.rules.{mutant.module}"
    for loaded in [key for key in sys.modules if key.startswith("dflint.rules.")]:
        del sys.modules[loaded]
    registry = sys.modules.get("dflint.lint.ruleset")
    for cached in ("all_rules",):  # discovery caches the rule classes it imported
        clear = getattr(getattr(registry, cached, None), "cache_clear", None)
        if clear is not None:
            clear()
    finder = _MutantFinder(name, source, str(RULES / f"{mutant.module}.py"))
    sys.meta_path.insert(0, finder)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    test_file = str(_test_file(mutant.module))
    arguments = [test_file, "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    # python_files: pytest's assertion rewriter goes ahead of every finder for the modules its
    # patterns match, and its default `*_test.py` matches df313_impossible_arch_test.py: it
    # would load the file from disk and every mutant of that rule would "survive"
    code = int(pytest.main([*arguments, "-o", "addopts=", "-o", "python_files=test_*.py"]))
    imported = sys.modules.get(name)
    if imported is not None and getattr(imported.__spec__, "loader", None) is not finder:
        return NOT_SERVED  # the tests ran against the file, not the mutant: no verdict
    return code


NOT_SERVED = 99  # the child's exit code when the mutated module was not the one imported


_preloaded: list[bool] = []


def _preload() -> None:
    """What every child needs, imported once: the fork then starts in milliseconds."""
    os.chdir(ROOT)
    sys.path.insert(0, str(TESTS))
    importlib.import_module("conftest")  # its hermetic cache folders, shared by the children
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401


def run(
    all_mutants: list[Mutant],
    jobs: int,
    timeout: float,
    seconds: dict[str, float] | None = None,
) -> dict[Mutant, str]:
    """Each mutant's outcome: killed, survived, timeout (killed) or error (not counted).

    ``seconds`` maps a module to how long its unmutated tests took: a mutant of that module is
    stopped after ten times that (at least 10 s, at most ``timeout``), so a mutant that loops
    for ever costs little; the unmutated runs (operator ``none``) fill it in.
    """
    if not _preloaded:
        _preload()
        _preloaded.append(True)
    outcome: dict[Mutant, str] = {}
    running: dict[int, tuple[Mutant, float]] = {}
    queue = list(all_mutants)
    while queue or running:
        while queue and len(running) < jobs:
            mutant = queue.pop(0)
            try:
                source = mutated_source(mutant)
            except Exception as exc:  # unparse failed: report, do not count
                outcome[mutant] = f"error: {exc}"
                continue
            pid = os.fork()
            if pid == 0:
                code = 3
                try:
                    code = _child(mutant, source)
                finally:
                    os._exit(code)
            running[pid] = (mutant, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.02)
            for pid, (mutant, started) in list(running.items()):
                limit = timeout
                if seconds is not None and mutant.module in seconds:
                    limit = min(timeout, max(10.0, 10 * seconds[mutant.module]))
                if time.monotonic() - started > limit:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    del running[pid]
                    outcome[mutant] = "timeout"  # counted as killed: a mutant that hangs is caught
                    _progress(outcome, mutant, len(all_mutants))
            continue
        if pid not in running:
            continue
        mutant, started = running.pop(pid)
        if seconds is not None and mutant.operator == "none":
            seconds[mutant.module] = time.monotonic() - started
        code = os.waitstatus_to_exitcode(status)
        # pytest: 0 passed, 1 some test failed; anything else (2: collection failed or
        # interrupted, 3: internal error, 4: usage, 5: no tests) is no verdict on the mutant
        outcome[mutant] = {
            0: "survived",
            1: "killed",
            NOT_SERVED: "error: the module was imported from its file, not mutated",
        }.get(code, f"error: pytest exit {code}")
        _progress(outcome, mutant, len(all_mutants))
    return outcome


def _progress(outcome: dict[Mutant, str], mutant: Mutant, total: int) -> None:
    """One line per mutant on stderr, so a long run can be followed in its log."""
    print(
        f"[{len(outcome)}/{total}] {outcome[mutant]}: {mutant.label}", file=sys.stderr, flush=True
    )


# --- the command ----------------------------------------------------------------------------


def rule_modules(selection: str) -> list[str]:
    modules = sorted(path.stem for path in RULES.glob("df[0-9][0-9][0-9]_*.py"))
    if not selection:
        return modules
    wanted = {code.strip().lower() for code in selection.split(",")}
    chosen = [module for module in modules if module.split("_", 1)[0] in wanted]
    missing = wanted - {module.split("_", 1)[0] for module in chosen}
    if missing:
        raise SystemExit(f"no rule module for {', '.join(sorted(missing))}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", default="", help="comma-separated codes (default: all)")
    parser.add_argument("--operators", default=",".join(OPERATORS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--limit", type=int, default=0, help="at most N mutants per rule")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)
    operators = [name.strip() for name in args.operators.split(",")]
    unknown = set(operators) - set(OPERATORS)
    if unknown:
        parser.error(f"unknown operators {sorted(unknown)}; choose from {OPERATORS}")
    chosen: list[Mutant] = []
    for module in rule_modules(args.rules):
        found = mutants(module, operators)
        chosen += found[: args.limit] if args.limit else found
    if args.list:
        for mutant in chosen:
            print(mutant.label)
        print(f"{len(chosen)} mutants")
        return 0
    start = time.perf_counter()
    modules = sorted({mutant.module for mutant in chosen})
    seconds: dict[str, float] = {}
    baseline = run([unchanged(module) for module in modules], args.jobs, args.timeout, seconds)
    broken = [mutant for mutant, result in baseline.items() if result != "survived"]
    for mutant in broken:
        print(f"rules/{mutant.module}.py: its tests do not pass unmutated ({baseline[mutant]})")
    if broken:
        return 2
    outcome = run(chosen, args.jobs, args.timeout, seconds)
    elapsed = time.perf_counter() - start
    return report(chosen, outcome, elapsed)


def report(chosen: list[Mutant], outcome: dict[Mutant, str], elapsed: float) -> int:
    by_rule: dict[str, list[str]] = {}
    for mutant in chosen:
        by_rule.setdefault(mutant.module, []).append(outcome[mutant])
    print("| rule | mutants | killed | survived | survival |")
    print("|---|---|---|---|---|")
    for module, results in by_rule.items():
        verdicts = [result for result in results if not result.startswith("error")]
        survived = verdicts.count("survived")
        share = f"{survived / len(verdicts):.0%}" if verdicts else "-"
        print(
            f"| {module.split('_', 1)[0].upper()} | {len(verdicts)} | {len(verdicts) - survived} "
            f"| {survived} | {share} |"
        )
    counted = [m for m in chosen if not outcome[m].startswith("error")]
    timeouts = sum(outcome[m] == "timeout" for m in counted)
    survivors = [m for m in counted if outcome[m] == "survived"]
    rate = len(survivors) / len(counted) if counted else 0.0
    print(
        f"\n{len(counted)} mutants in {elapsed:.0f} s: {len(counted) - len(survivors)} killed, "
        f"{len(survivors)} survived (survival rate {rate:.1%}); {timeouts} of the killed "
        "ran out of time"
    )
    errors = [m for m in chosen if outcome[m].startswith("error")]
    for mutant in errors:
        print(f"not run: {mutant.label}: {outcome[mutant]}")
    if survivors:
        print("\nsurvivors:")
        for mutant in survivors:
            print(f"  [{mutant.operator}] {mutant.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
