import app.ws_factory  # not allowed
import app.keep_factory  # allowed by the rule
