def make():
    class Pool:  # not a module-level name: not watched
        pass

    return Pool
