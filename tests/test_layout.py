"""The package's layout: modules import downward only, and the cheap ones stay cheap."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nlp"


def _imports():
    """Module -> the package modules it imports, at the top or inside a function."""
    graph = {}
    for path in PACKAGE.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
        graph[path.stem] = found - {path.stem}
    return graph


def _cycle(graph):
    """A list of modules that import each other in a ring, or None."""
    state = {}

    def visit(module, path):
        state[module] = "open"
        for other in sorted(graph.get(module, ())):
            if state.get(other) == "open":
                return path[path.index(other):] + [other] if other in path else [module, other]
            if other not in state:
                found = visit(other, path + [other])
                if found:
                    return found
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module, [module])
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_one_that_imports_it_back():
    assert _cycle(_imports()) is None


@pytest.mark.parametrize("module, heavy", [
    ("nlp.corpus", ("jieba", "nlp.model", "nlp.tag", "nlp.link", "sklearn")),
    ("nlp.read", ("jieba", "nlp.model", "sklearn", "numpy")),
    ("nlp.cli", ("jieba", "sklearn", "pandas")),
])
def test_importing_a_module_loads_only_what_it_needs(module, heavy):
    code = f"import sys, {module}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
