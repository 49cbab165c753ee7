"""A retired package may import its own parts."""

from . import helpers
from .helpers import Helper
