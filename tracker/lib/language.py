"""The web interface speaks a signed-in user's saved language (User.language).

LocaleMiddleware alone follows the language cookie set by the switcher in base.html, then the
browser's Accept-Language. This middleware (after AuthenticationMiddleware) puts the user's
saved choice between the two: the switcher's cookie still wins, the browser no longer does.
Switching language while signed in also saves the choice, so e-mails follow it.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        languages = dict(settings.LANGUAGES)
        if (
            signed_in
            and user.language in languages
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if (
            signed_in
            and chosen is not None
            and request.method == "POST"
            and request.path == reverse("set_language")
            and chosen.value in languages
            and chosen.value != user.language
        ):
            user.language = chosen.value
            user.save(update_fields=["language"])
        return response
