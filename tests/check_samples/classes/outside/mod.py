class Pool:  # outside "within"
    pass
