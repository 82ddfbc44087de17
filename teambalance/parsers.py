"""The API's JSON parser (its own module: DRF imports it while importing its views)."""

from rest_framework import exceptions, parsers


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser, with a size limit and no 500 on pathological nesting."""

    MAX_BYTES = 256 * 1024  # a lobby of 100 ids is about 3 KB

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > self.MAX_BYTES:
            raise PayloadTooLarge(f"Request body larger than {self.MAX_BYTES} bytes.")
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
