"""Image references: kept for the rules that import it; the grammar lives in
:mod:`dflint.platforms.reference`."""

from __future__ import annotations

from dflint.platforms.reference import (
    DEFAULT_REGISTRY,
    ImageRef,
    ReferenceError,
    parse_image,
    parse_reference,
)

__all__ = ["DEFAULT_REGISTRY", "ImageRef", "ReferenceError", "parse_image", "parse_reference"]
