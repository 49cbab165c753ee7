"""Configuration: reading ``[tool.ssot_guard]`` from TOML, discovery, and validation."""
