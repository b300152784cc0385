"""Use cases: take a database session and plain values, call the domain, persist."""
