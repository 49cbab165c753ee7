import ssot_guard
from ssot_guard import SSOTBase


class Service(SSOTBase):
    pass


@ssot_guard.ssot_class(ssot_key="Store")
class MemoryStore:
    pass


class Other(metaclass=ssot_guard.SSOTMeta, ssot_key="Store"):
    pass


class Service2(SSOTBase, ssot_key="Service2"):
    class Service2(metaclass=ssot_guard.SSOTMeta):
        pass
