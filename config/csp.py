"""Content Security Policy: one header on every response, built from settings.CSP_DIRECTIVES.

Django 5.2 has no CSP of its own and the policy Duban needs is static (no nonces: templates
carry no inline <script>; JavaScript lives in static files, data for it in json_script), so a
few lines here replace a dependency.
"""

from django.conf import settings


def build_policy(directives):
    return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        self.policy = build_policy(settings.CSP_DIRECTIVES)

    def __call__(self, request):
        response = self.get_response(request)
        # A view may set its own, stricter or looser, policy.
        if self.header not in response:
            response[self.header] = self.policy
        return response
