"""The `architectures` registry (on thinc's registry) where every model builder is named."""

from thinc.api import registry

if not hasattr(registry, "architectures"):
    registry.create("architectures")

architectures = registry.architectures  # type: ignore[attr-defined]
