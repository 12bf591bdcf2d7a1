"""jailtui: a terminal operations console for FreeBSD jails."""

__version__ = "0.1.0"
