"""A bare Flask app answering a small JSON: the ceiling bench/api.py compares the API with."""

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping():
    """Answer a small JSON and nothing else."""
    return {"status": "ok", "items": [1, 2, 3]}
