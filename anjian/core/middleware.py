from __future__ import annotations

from anjian.core.context import origin_from_request, reset_origin, set_origin


class RequestContextMiddleware:
    """Makes the request's origin (IP, user agent) available to services for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_origin(origin_from_request(request))
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)


class ChineseFirstMiddleware:
    """Chinese unless the user chose otherwise: the browser's Accept-Language is ignored, so an
    official on an English-language PC still gets the Chinese interface until he switches
    (the choice is kept in the language cookie). Must come before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class StripNulQueryMiddleware:
    """A query string value never carries a NUL character: views read ``request.GET`` directly
    (searches, ``?enterprise=``, ``?town=``) and PostgreSQL refuses NUL in text with an error
    (a 500); nobody types one, so it is dropped here, once, for every door."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = request.GET.copy()
            for key in list(cleaned):
                cleaned.setlist(key, [value.replace("\x00", "") for value in cleaned.getlist(key)])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
