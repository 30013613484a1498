"""The package's shape: imports point one way (no cycles), no private name is imported from
another module, and the README's schema table is the one the record types declare."""

import ast
from pathlib import Path

from pipeline.store.tables import schema_markdown

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[tuple[str, str]]]:
    """module -> {(imported module, imported name)} for every import of the package's own code."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[tuple[str, str]]] = {}
    for name, path in modules.items():
        found: set[tuple[str, str]] = set()
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.startswith("pipeline"):
                    for alias in node.names:
                        sub = f"{target}.{alias.name}"
                        found.add((sub if sub in modules else target, alias.name))
            elif isinstance(node, ast.Import):
                found |= {(a.name, "") for a in node.names if a.name.startswith("pipeline")}
        graph[name] = {(t, n) for t, n in found if t in modules and t != name}
    return graph


def test_no_import_cycles_inside_the_package():
    graph = {m: {t for t, _ in edges} for m, edges in _imports().items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            # a package's __init__ re-exporting its own modules is not a cycle of the data flow
            if node.startswith(nxt + ".") :
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif not state.get(nxt):
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if not state.get(module):
            visit(module, [module])
    assert cycles == []


def test_no_private_name_is_imported_across_modules():
    private = sorted(f"{m} imports {n} from {t}" for m, edges in _imports().items() for t, n in edges
                     if n.startswith("_") and not n.startswith("__"))
    assert private == []


def test_readme_schema_table_is_derived_from_the_records():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert schema_markdown() in readme, "README's store table differs from pipeline.store.tables.schema_markdown()"
