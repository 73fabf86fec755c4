from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("units/", views.by_unit, name="units"),
    path("leaders/", views.by_leader, name="leaders"),
    path("documents/", views.by_document, name="documents"),
    path("calendar/", views.due_calendar, name="calendar"),
    path("projects/", views.projects, name="projects"),
    path("lights/", views.lights, name="lights"),
]
