"""The database room: SQLAlchemy models, the build (temporary file, checks, rename), the
build's SQL (views, full-text indexes) and the per-file cache.  Imports kb.data only.

Importing this package loads nothing heavy: kb.db.fingerprint answers "is the database
up to date?" without SQLAlchemy or pydantic."""
