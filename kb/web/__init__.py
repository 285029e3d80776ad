"""The web room: the Datasette application (app.py), what it says about the data (metadata.py),
the hooks that keep it safe to publish (guard.py) and the research desk's pages (pages/).
Reads a built database through kb.query only."""
