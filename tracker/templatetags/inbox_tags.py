"""An inbox message in the reader's language: ``{{ message|headline }}``, ``{{ message|quoted }}``."""

from django import template

from tracker.inbox import texts

register = template.Library()


@register.filter
def headline(message):
    return texts.headline(message)


@register.filter
def quoted(message):
    return texts.quoted(message)
