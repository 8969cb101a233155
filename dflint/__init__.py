"""dflint: make Dockerfiles portable across operating systems and CPU architectures."""

__version__ = "0.1.0"

# before any dflint module creates a dataclass (see dflint/codecache.py)
from dflint import codecache as _codecache

_codecache.install()
