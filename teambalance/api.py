"""What every API endpoint shares: ids, parsing, pagination and errors."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from teambalance.errors import Conflict, ServiceError

SNOWFLAKE_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
SNOWFLAKE_HELP = "a Discord id: a positive integer below 2^63, as a string or a number"


def parse_snowflake(value) -> int | None:
    """The Discord id in ``value`` (a JSON string or integer), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 0 < number <= SNOWFLAKE_MAX else None


@extend_schema_field({"type": "string", "pattern": "^[0-9]{1,19}$", "example": "80351110224678912"})
class SnowflakeField(serializers.Field):
    """A Discord id: accepted as a string or an integer, always returned as a string.

    JavaScript clients cannot hold 64-bit integers, so ids never leave as numbers.
    """

    default_error_messages = {"invalid": f"Must be {SNOWFLAKE_HELP}."}

    def to_internal_value(self, data):
        number = parse_snowflake(data)
        if number is None:
            self.fail("invalid")
        return number

    def to_representation(self, value):
        return str(value)


class StrictFloatField(serializers.FloatField):
    """A JSON number: DRF's FloatField would take ``true`` as 1.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only (DRF would also take "yes", "on", 1...)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class Pagination(pagination.PageNumberPagination):
    """``count``/``next``/``previous``/``results``; 50 a page by default, at most 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """DRF's handler, plus service errors: ``Invalid`` → 400, ``Conflict`` → 409."""
    if isinstance(exc, ServiceError):
        set_rollback()
        status = 409 if isinstance(exc, Conflict) else 400
        return Response({"detail": exc.detail, **exc.extra}, status=status)
    return drf_exception_handler(exc, context)
