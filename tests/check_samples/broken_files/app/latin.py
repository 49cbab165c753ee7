# A comment in Latin-1 without a coding cookie: café
import app.legacy
