import app.legacy  # ssot: ignore[SSOT101]
import app.legacy  # ssot: ignore[SSOT102]
from app.legacy import (  # ssot: ignore
    helpers,
)
from app.legacy import (
    more,
)  # ssot: ignore[SSOT101]
import app.legacy  # ssot: ignore[SSOT999, ssot101]
import app.legacy  # ssot:ignore[ SSOT101 ]
import app.legacy
# ssot: ignore[SSOT101]
import app.legacy

print(helpers, more)
