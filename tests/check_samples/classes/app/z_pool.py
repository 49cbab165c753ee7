import sys

if sys.version_info >= (3, 11):

    class Pool:
        pass

else:

    class Pool:
        pass
