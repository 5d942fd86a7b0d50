"""Alembic environment for Vigie (configured in code, see bot.core.storage.alembic_config)."""

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

config = context.config


def _target_metadata():
    try:
        import bot.core.admin_models  # noqa: F401  (the admin tables share Base)
        from bot.core.models import Base
    except ImportError:  # the project root is not importable: no autogenerate support
        return None
    return Base.metadata


def _configure(**kwargs) -> None:
    try:
        from bot.core.models import managed_by_model
    except ImportError:
        managed_by_model = None
    context.configure(target_metadata=_target_metadata(), compare_type=True, include_name=managed_by_model, **kwargs)


def run_migrations_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(url, future=True, poolclass=NullPool)
    with engine.begin() as connection:
        _run_on(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
