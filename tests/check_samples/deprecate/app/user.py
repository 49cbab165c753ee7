from unittest import mock

import app.legacy_api as la
from app import legacy_api
from app.legacy_api import create_manager, other

legacy_api.create_manager()
la.create_manager
getattr(legacy_api, "create_manager")
mock.patch("app.legacy_api.create_manager")
legacy_api.other()
app_create_manager = other
print(create_manager, app_create_manager)
