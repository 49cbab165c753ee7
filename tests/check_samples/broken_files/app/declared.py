# -*- coding: latin-1 -*-
# Declared, so valid: café
VALUE = "café"
