"""The runtime import guard: ``install()``, the ``sys.meta_path`` finder and module watches."""
