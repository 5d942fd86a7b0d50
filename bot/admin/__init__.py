"""Admin pages of Vigie: staff of CERT Santé / ARS read declarations.

Mount with ``app.add_subapp("/admin", create_admin_app(store))`` (see
``bot.admin.app``). Users are managed with ``python -m bot.admin users ...``.
"""


def __getattr__(name):
    # Lazy, so that importing bot.admin.models (done by migration 0005) stays light.
    if name == "create_admin_app":
        from bot.admin.app import create_admin_app

        return create_admin_app
    raise AttributeError(name)


__all__ = ["create_admin_app"]
