"""Routes of the guest's share page, mounted at /s/ by frontend/urls.py."""

from django.urls import path

from projects.sharing import views

urlpatterns = [
    path("<str:token>/", views.share_page, name="share-page"),
    path("<str:token>/items/", views.share_items, name="share-items"),
    path("<str:token>/items/<uuid:render_id>/", views.share_media, name="share-media"),
]
