"""dflint: make Dockerfiles portable across operating systems and CPU architectures."""

__version__ = "0.1.0"
