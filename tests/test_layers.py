"""The product's imports point one way: core → graders → evals, reports → app, and no module imports
another that imports it back (issue 13). Read from the source's import statements, lazy ones included,
with the package folders taken from pyproject's package-dir mapping."""

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# a module may import from its own layer's package and from any earlier layer; packages that share
# a layer are siblings and never import each other
LAYERS = (
    ("archbench.core",),
    ("archbench.graders",),
    ("archbench.evals", "archbench.reports"),
    ("archbench.app",),
    ("archbench.__main__",),  # `python -m archbench`
)


def product_modules() -> dict[str, Path]:
    """Every installed module's dotted name and source file, as pyproject maps package folders."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = setuptools["package-dir"]
    modules = {}
    for package in setuptools["packages"]:
        folder = ROOT / folders.get(package, folders["archbench"] + package.removeprefix("archbench").replace(".", "/"))
        for path in sorted(folder.glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            modules[name] = path
    return modules


def imported_modules(path: Path, own_name: str, known: set[str]) -> set[str]:
    """The product modules a file imports, wherever the import statement sits (lazy imports count)."""
    package = own_name if path.stem == "__init__" else own_name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            # `import a.b.c` needs a, a.b and a.b.c; the deepest product module named is the edge
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != own_name and target != "archbench":
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    return {name: imported_modules(path, name, set(modules)) for name, path in modules.items()}


def layer_of(module: str) -> tuple[int, str] | None:
    for rank, packages in enumerate(LAYERS):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return rank, package
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each a cycle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_every_installed_module():
    graph = import_graph()
    for expected in ("archbench.app.cli", "archbench.core.scenarios", "archbench.evals.architect",
                     "archbench.graders.grade", "archbench.reports.build"):
        assert expected in graph
    # a known edge, so that a parser that found nothing would fail here rather than pass everything below
    assert "archbench.graders.scorers" in graph["archbench.evals.architect"]


def test_every_module_belongs_to_a_layer():
    assert [name for name in import_graph() if name != "archbench" and layer_of(name) is None] == []


def test_no_module_imports_from_a_later_layer_or_a_sibling_package():
    wrong = []
    for module, targets in import_graph().items():
        if module == "archbench":
            continue
        rank, package = layer_of(module)
        for target in targets:
            target_rank, target_package = layer_of(target)
            if target_rank > rank or (target_rank == rank and target_package != package):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycles_between_modules():
    assert cycles(import_graph()) == []


def test_no_import_cycles_between_packages():
    graph = import_graph()
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        source = layer_of(module)[1] if module != "archbench" else "archbench"
        packages.setdefault(source, set()).update(
            layer_of(t)[1] for t in targets if layer_of(t) and layer_of(t)[1] != source
        )
    assert cycles(packages) == []


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_cycle_finder_finds_cycles(graph, expected):
    assert cycles(graph) == expected


def test_the_benchmarks_do_not_import_each_other_in_a_circle():
    scripts = {path.stem: path for path in (ROOT / "benchmarks").glob("*.py")}
    names = {f"benchmarks.{stem}" for stem in scripts}
    graph = {f"benchmarks.{stem}": imported_modules(path, f"benchmarks.{stem}", names) for stem, path in scripts.items()}
    assert cycles(graph) == []
