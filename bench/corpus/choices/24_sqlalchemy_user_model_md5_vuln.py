import hmac
import os
from hashlib import md5

from sqlalchemy import Boolean, Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), unique=True, nullable=False)
    _salt = Column("salt", String(32), nullable=False)
    _pw = Column("pw", String(128), nullable=False)
    locked = Column(Boolean, default=False, nullable=False)

    @staticmethod
    def _derive(value, salt):
        return md5(bytes.fromhex(salt) + value.encode("utf-8")).hexdigest()

    @property
    def password(self):
        raise AttributeError("the password is write-only")

    @password.setter
    def password(self, value):
        self._salt = os.urandom(16).hex()
        self._pw = self._derive(value, self._salt)

    def check_password(self, value):
        if self.locked:
            return False
        return hmac.compare_digest(self._derive(value, self._salt), self._pw)
