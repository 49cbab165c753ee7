def broken(:
    pass


import app.legacy
