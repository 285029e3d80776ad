"""Treaty and convention ratification knowledge base."""

__version__ = "0.1.0"
