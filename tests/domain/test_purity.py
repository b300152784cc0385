"""The domain imports only the standard library."""

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "server" / "domain"


def _imported_roots(path: Path) -> set[str]:
    """Return the top-level package of every import in a module."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_modules_import_only_the_standard_library_and_each_other():
    modules = sorted(DOMAIN.glob("*.py"))
    assert modules
    for path in modules:
        foreign = _imported_roots(path) - set(sys.stdlib_module_names) - {"server"}
        assert not foreign, f"{path.name} imports {foreign}"
        server_imports = [
            node.module for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("server")
        ]
        assert all(name.startswith("server.domain") for name in server_imports), (path.name, server_imports)
