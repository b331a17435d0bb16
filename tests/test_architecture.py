"""The layout's rules, read from the source with `ast`: no import cycle between the app modules
(imports inside functions count), no private name imported across modules, no module over 500
lines except models."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["tracker", "actions", "reports", "api"]
MAX_LINES = 500
# Modules allowed past the limit for now, each with its reason. Shrink this, never grow it.
OVERSIZE = {}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules():
    """Module name -> path for the app code (not migrations, which Django writes)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(name, path, modules):
    """(imported module, imported name or None) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from actions import services` imports a module; `from x import y` a name.
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    yield submodule, None
                else:
                    yield base, alias.name


def import_graph(modules):
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _ in imports_of(name, path, modules):
            # Importing a.b.c runs a and a.b as well; only the named module counts as the edge.
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def find_cycles(graph):
    """Each strongly connected component of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_find_cycles_reports_a_cycle_hidden_in_a_function(tmp_path):
    (tmp_path / "first.py").write_text("import second\n")
    (tmp_path / "second.py").write_text("def later():\n    import first\n")
    modules = {"first": tmp_path / "first.py", "second": tmp_path / "second.py"}
    assert find_cycles(import_graph(modules)) == [["first", "second"]]


def test_no_import_cycles_between_app_modules():
    assert find_cycles(import_graph(app_modules())) == []


def test_no_private_name_is_imported_from_another_module():
    modules = app_modules()
    offences = [
        f"{name} imports {target}.{imported}"
        for name, path in modules.items()
        for target, imported in imports_of(name, path, modules)
        if imported and imported.startswith("_") and not imported.startswith("__")
    ]
    assert offences == []


def test_no_module_over_500_lines_except_models():
    too_long = {
        name: lines
        for name, path in app_modules().items()
        if path.name != "models.py"
        and (lines := len(path.read_text().splitlines())) > OVERSIZE.get(name, MAX_LINES)
    }
    assert too_long == {}
