"""Content: guide model, SQLite store, bundled demo content, published snapshot, search."""
