"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from rest_framework.routers import SimpleRouter

from rights.api import views

router = SimpleRouter()
router.register("talent", views.TalentViewSet, basename="talent")
router.register(r"talent/(?P<talent_pk>[0-9a-fA-F-]{36})/assets", views.LikenessAssetViewSet, basename="likeness-asset")
router.register("consents", views.ConsentGrantViewSet, basename="consent")
router.register("likeness-uses", views.LikenessUseViewSet, basename="likeness-use")

urlpatterns = router.urls
