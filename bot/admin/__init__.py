"""Admin pages of Vigie: staff of CERT Santé / ARS read declarations.

Mount with ``app.add_subapp("/admin", create_admin_app(store))`` (see
``bot.admin.app``). Users are managed with ``python -m bot.admin users ...``.
Their tables are in ``bot.core.admin_models``.
"""

from bot.admin.app import create_admin_app

__all__ = ["create_admin_app"]
