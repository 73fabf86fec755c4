"""Once per submission: a form sent twice (a double click, a resend after a slow answer, the
browser's "resubmit") changes things once.

Every state-changing form carries a one-time token (`{% submission_token %}` in the form, a
hidden `submission` field): a random key signed with the user's id and the time, fresh at each
rendering. A view decorated with `@once_per_submission` claims the key when the POST comes in,
inside one transaction with everything the view does: a unique row (`Submission`) for the key
and the user. The first POST runs the view; on success (a redirect) the row keeps where it sent
the user, on failure (a 4xx page: invalid input, a conflict) the claim is rolled back with the
rest, so the corrected form can be sent again. A second POST of the same key waits for the
first on the unique index (PostgreSQL) and then is not run: it is redirected to the first
one's outcome with a note, so the user sees what the first click did. A token of another user,
altered or expired (older than TOKEN_DAYS) is refused. A POST without a token (a client other
than our pages) is processed as before.
"""

import datetime
import functools
import secrets

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.models import Submission

FIELD = "submission"
SALT = "tracker.tracking.once"
# How long a rendered form's token is accepted; claims are kept a day longer, then deleted.
TOKEN_DAYS = 14


def new_token(user):
    """A fresh token for one rendering of a form, bound to `user`."""
    return signing.TimestampSigner(salt=SALT).sign(f"{user.pk}:{secrets.token_hex(16)}")


class Refused(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.message, self.status = message, status


def token_key(token, user):
    """The key of a token of `user`; Refused when it is altered, another user's or expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(token, max_age=datetime.timedelta(days=TOKEN_DAYS))
    except signing.SignatureExpired as error:
        raise Refused(_("此页面已打开太久，提交未执行。请刷新页面后重新填写提交。"), 400) from error
    except signing.BadSignature as error:
        raise Refused(_("此提交的表单标识无效，未执行。请刷新页面后重新提交。"), 403) from error
    user_id, _sep, key = value.partition(":")
    if user_id != str(user.pk) or not key:
        raise Refused(_("此表单属于其他用户，提交未执行。请刷新页面后重新提交。"), 403)
    return key


def _succeeded(response):
    return response.status_code < 400


def once_per_submission(view):
    """Run `view` once per form submission (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FIELD) if request.method == "POST" else None
        if not token or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        try:
            key = token_key(token, request.user)
        except Refused as refused:
            return render(
                request,
                "tracker/submission_refused.html",
                {"message": refused.message},
                status=refused.status,
            )
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = Submission.objects.create(key=key, user=request.user)
            except IntegrityError:
                return _replay(request, key)
            response = view(request, *args, **kwargs)
            if not _succeeded(response):
                transaction.set_rollback(True)  # the claim goes with the failed attempt
                return response
            claim.outcome = response.get("Location", "")[:500]
            claim.save(update_fields=["outcome"])
            Submission.objects.filter(
                created_at__lt=timezone.now() - datetime.timedelta(days=TOKEN_DAYS + 1)
            ).delete()
        return response

    return wrapper


def _replay(request, key):
    """The answer to a submission sent again: where the first one led, with a note."""
    claim = Submission.objects.filter(key=key, user=request.user).first()
    if claim is None:  # cannot happen: the key is bound to this user by its signature
        return render(
            request,
            "tracker/submission_refused.html",
            {"message": _("此表单属于其他用户，提交未执行。请刷新页面后重新提交。")},
            status=403,
        )
    messages.info(request, _("此表单已提交并处理过，本次重复提交未再执行。"))
    return redirect(claim.outcome or request.get_full_path())
