"""Seed plan, Test Suite 4.1, as the seed writes it (sync)."""


def test_websocket_import_path_monitoring():
    """
    MONITORING: Detect if dual import patterns are reintroduced.
    """
    import pkgutil

    websocket_modules = []

    # Scan all websocket_core modules
    import netra_backend.app.websocket_core as websocket_package

    for _, module_name, _ in pkgutil.iter_modules(websocket_package.__path__):
        if "factory" in module_name.lower():
            websocket_modules.append(module_name)

    # Should only have canonical modules, no factory duplicates
    allowed_factory_modules = [
        "user_execution_context",  # Canonical factory location
    ]

    forbidden_modules = [m for m in websocket_modules if m not in allowed_factory_modules]

    assert len(forbidden_modules) == 0, (
        f"SSOT VIOLATION: Forbidden factory modules detected: {forbidden_modules}. "
        f"This indicates dual pattern fragmentation has been reintroduced."
    )


def test_websocket_manager_class_uniqueness():
    """
    MONITORING: Ensure only one WebSocketManager implementation exists.
    """
    import sys

    websocket_manager_classes = []

    # Scan all loaded modules for WebSocketManager classes
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("netra_backend.app.websocket"):
            for attr_name in dir(module):
                attr = getattr(module, attr_name)
                if (
                    isinstance(attr, type)
                    and "websocket" in attr_name.lower()
                    and "manager" in attr_name.lower()
                ):
                    websocket_manager_classes.append(
                        {"class": attr, "module": module_name, "name": attr_name}
                    )

    # Should have exactly one canonical WebSocketManager
    manager_classes = [c for c in websocket_manager_classes if c["name"] == "WebSocketManager"]

    assert len(manager_classes) == 1, (
        f"SSOT VIOLATION: Multiple WebSocketManager implementations detected: {manager_classes}. "
        f"This indicates SSOT consolidation has been compromised."
    )
