"""Listed in allow_importers: may still import the factory."""

import app.ws_factory
