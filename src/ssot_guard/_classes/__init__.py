"""Class checks: the registry (``SSOTMeta``, ``SSOTBase``, ``@ssot_class``) and ``[[unique]]``."""
