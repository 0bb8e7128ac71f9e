"""Column types that mean the same on SQLite and PostgreSQL as the Tortoise fields they back.

Migrations use these so that the migrated schema equals the models' (checked by tests/test_schema.py).
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

#: Tortoise's BigIntField primary key: BIGSERIAL on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: Tortoise's JSONField: JSONB on PostgreSQL, JSON text on SQLite.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
#: Tortoise's DatetimeField with use_tz: TIMESTAMPTZ on PostgreSQL.
TIMESTAMP = sa.DateTime(timezone=True)
