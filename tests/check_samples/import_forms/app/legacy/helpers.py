class Helper:
    pass


thing = Helper()
