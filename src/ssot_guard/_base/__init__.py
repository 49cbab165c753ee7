"""The foundation every layer shares: errors, modes, frame helpers. Imports nothing of ours."""
