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
