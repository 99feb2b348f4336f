"""bazary: an e-commerce backend as pluggable Django apps."""

__version__ = "0.1.0"
