"""digest: annotated news digests as a static site."""

__version__ = "0.1.0"
