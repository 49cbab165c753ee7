import app.legacy

def broken(:
    pass
