"""API permissions: a key's scope and the guilds it is limited to."""

from rest_framework import permissions

from users.models import ApiKey


class HasScope(permissions.BasePermission):
    """Allows a request when its API key's scope covers what the view needs.

    Reading needs ``read``, changing needs ``write``; a view lists the actions that need
    ``admin`` in ``admin_actions`` (action names for viewsets, HTTP methods otherwise).
    Guild limits are checked where the guild is resolved (``GuildScopedMixin``), so they
    hold for every object under it.
    """

    message = "This API key's scope does not allow this request."

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        needed = self.required_scope(request, view)
        self.message = f"This API key has the {key.scope} scope; this request needs {needed}."
        return key.allows_scope(needed)

    @staticmethod
    def required_scope(request, view) -> str:
        action = getattr(view, "action", None) or request.method
        if action in getattr(view, "admin_actions", ()):
            return ApiKey.Scope.ADMIN
        if request.method in permissions.SAFE_METHODS:
            return ApiKey.Scope.READ
        return ApiKey.Scope.WRITE
