"""The example project in project/ runs through pytester (tests/test_plugin_seed.py)."""

collect_ignore = ["project"]
