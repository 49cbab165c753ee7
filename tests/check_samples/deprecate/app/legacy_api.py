def create_manager():
    return None


def other():
    return create_manager()
