"""The import graph stays layered: entry points over services over the domain, no cycles, no blueprint importing
another."""

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"
# Lowest first: a module may import its own layer's and lower layers' modules, never a higher layer's.
LAYERS = ("server.domain", "server.services", "server.api")


def _module_name(path: Path) -> str:
    """Return the dotted name of a module file under server/."""
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Return, for every server module, the server modules it imports at any depth of its code."""
    names = {_module_name(path): path for path in SERVER.rglob("*.py")}
    graph = {}
    for name, path in names.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from server.services import plans` imports the module server.services.plans.
                found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        graph[name] = {module for module in found if module in names and module != name}
    return graph


GRAPH = _imports()


def _layer(module: str) -> int | None:
    """Return the index of the module's layer, or None for modules outside the three."""
    return next((i for i, prefix in enumerate(LAYERS) if module == prefix or module.startswith(prefix + ".")), None)


def _is_blueprint(module: str) -> bool:
    """Tell whether a module under server/api defines a blueprint (an entry point of its own)."""
    path = SERVER.parent / (module.replace(".", "/") + ".py")
    return module.startswith("server.api.") and path.exists() and "Blueprint(" in path.read_text()


def test_no_module_imports_a_higher_layer():
    upward = [(module, imported) for module, imports in GRAPH.items() for imported in imports
              if _layer(module) is not None and _layer(imported) is not None and _layer(imported) > _layer(module)]
    assert upward == []


def test_no_blueprint_imports_another():
    crossing = [(module, imported) for module, imports in GRAPH.items() if _is_blueprint(module)
                for imported in imports if _is_blueprint(imported)]
    assert crossing == []


@pytest.mark.parametrize("package", ["server.domain", "server.services", "server.api", "server.push"])
def test_no_import_cycle_within_a_package(package):
    inside = {module: {m for m in imports if m.startswith(package + ".")}
              for module, imports in GRAPH.items() if module.startswith(package + ".")}
    cycles, done, path = [], set(), []

    def visit(module: str) -> None:
        """Walk depth-first, noting every edge back to a module on the current path."""
        path.append(module)
        for imported in sorted(inside.get(module, ())):
            if imported in path:
                cycles.append(path[path.index(imported):] + [imported])
            elif imported not in done:
                visit(imported)
        path.pop()
        done.add(module)

    for module in sorted(inside):
        if module not in done:
            visit(module)
    assert cycles == []
