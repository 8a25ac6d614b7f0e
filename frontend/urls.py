from django.urls import re_path

from frontend import views

urlpatterns = [re_path(r"^(?!api/|admin/|static/|healthz)(?P<path>.*)$", views.app, name="app")]
