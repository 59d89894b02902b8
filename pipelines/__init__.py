"""okrfunnel pipelines: read exports, validate them, load the warehouse, compute metrics."""

__version__ = "0.1.0"
