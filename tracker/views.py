from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from tracker.models import Item


@login_required
def home(request):
    """The workbench: how the items this user may see stand today."""
    counts = dict(
        Item.objects.visible_to(request.user)
        .with_state()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    states = [(state, label, counts.get(state, 0)) for state, label in Item.State.choices]
    return render(request, "tracker/home.html", {"states": states, "total": sum(counts.values())})
