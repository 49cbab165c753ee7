from ssot_guard import SSOTMeta, ssot_class


class Service(metaclass=SSOTMeta):
    pass


@ssot_class(ssot_key="Store")
class FileStore:
    pass
