"""Rules as values: the rule objects, dotted-name globs, and the matcher of names to rules."""
