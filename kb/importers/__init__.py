"""The importers: read the depositaries' published records (the UN Treaty Collection's status
pages, the reference lists of states) and write the generated YAML under data/.  They use
kb.data's schema and nothing above it; their output is reviewed and committed like any data."""
