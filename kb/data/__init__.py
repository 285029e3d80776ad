"""The data room: the strict YAML loader, the record schema, validation, and located errors.

Reads data/ and nothing else of kb; the build (kb.db) and the importers (kb.importers) use it."""
