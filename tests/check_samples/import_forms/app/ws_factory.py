WS = 1
