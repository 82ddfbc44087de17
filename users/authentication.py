"""API authentication: ``Authorization: Bearer <key>`` on every request."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from users.models import ApiKey

# Writing last_used_at on every request would make every GET a write (and, on SQLite, a
# lock); once a minute is as precise as anyone reading it needs.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by its API key; ``request.auth`` is the ``ApiKey``."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header: expected 'Bearer <key>'."
            )
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        try:
            key = ApiKey.objects.get(key_hash=ApiKey.hash(raw_key))
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        if key.revoked:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        self._touch(key)
        return (None, key)

    def authenticate_header(self, request):
        return self.keyword

    @staticmethod
    def _touch(key: ApiKey) -> None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
