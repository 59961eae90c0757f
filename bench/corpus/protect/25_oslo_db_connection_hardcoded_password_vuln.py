"""Database wiring for the quota service."""
from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

database_opts = [
    cfg.StrOpt("connection",
               default="mysql+pymysql://quota:Qu0ta-Pr0d-2024!@db-vip.internal/quota",
               secret=True,
               help="SQLAlchemy URL of the quota database."),
    cfg.IntOpt("max_pool_size", default=10),
    cfg.IntOpt("pool_timeout", default=30),
]
CONF.register_opts(database_opts, group="quota_database")

_context_manager = enginefacade.transaction_context()


def configure():
    _context_manager.configure(
        connection=CONF.quota_database.connection,
        max_pool_size=CONF.quota_database.max_pool_size,
        pool_timeout=CONF.quota_database.pool_timeout,
    )
    LOG.info("quota database configured")


def reader():
    return _context_manager.reader


def writer():
    return _context_manager.writer
