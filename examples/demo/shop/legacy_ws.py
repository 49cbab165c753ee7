"""The old name of the manager module; ssot_guard redirects it."""

raise RuntimeError("never executed: the redirect serves the canonical module instead")
