"""Model fields stored encrypted at rest (Fernet, from django-fernet-encrypted-fields).

The library derives its key from SECRET_KEY; these fields use COPROD_FIELD_ENCRYPTION_KEYS
instead, so that rotating the secret key never makes what is stored unreadable, and a
database dump without the key holds no clear text. An empty value is stored as NULL, so
these fields are declared `null=True`. Nothing can be looked up by an encrypted value.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import cached_property
from encrypted_fields import fields


class EncryptedCharField(fields.EncryptedCharField):
    @cached_property
    def keys(self) -> list[bytes]:
        return [key.encode() for key in settings.COPROD_FIELD_ENCRYPTION_KEYS]

    @cached_property
    def f(self) -> MultiFernet:
        # The first key encrypts; every key decrypts (to rotate, put the new one first).
        return MultiFernet([Fernet(key) for key in self.keys])

    def from_db_value(self, value, expression, connection):
        """What comes from the database must decrypt. The library's own method passes
        a value it cannot decrypt through unchanged (its `to_python` also sees clear text
        typed into forms), so a wrong key would show scrambled text as if it were a sort
        code; this refuses instead, naming the setting to fix."""
        if value is None:
            return value
        try:
            clear = self.f.decrypt(value.encode()).decode()
        except InvalidToken as error:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.name} cannot be decrypted: "
                "COPROD_FIELD_ENCRYPTION_KEYS does not hold the key it was stored with."
            ) from error
        return models.CharField.to_python(self, clear)
