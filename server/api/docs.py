"""OpenAPI links: how an answer's id reaches the operations on that resource (clients and fuzzers follow them)."""


def links(path: str, methods: dict[str, str], **parameters: str) -> dict:
    """Link to each method of `path` (name -> method), filling its parameters from the answer's body."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    values = {name: f"$response.body#/{field}" for name, field in parameters.items()}
    return {name: {"operationRef": f"#/paths/{pointer}/{method}", "parameters": values}
            for name, method in methods.items()}
