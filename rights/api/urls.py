"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""


from rights.api import views
from studio.http.ids import IdRouter, nested

router = IdRouter()
router.register("talent", views.TalentViewSet, basename="talent")
router.register(rf"talent/{nested('talent_pk')}/assets", views.LikenessAssetViewSet, basename="likeness-asset")
router.register("consents", views.ConsentGrantViewSet, basename="consent")
router.register("consent-requests", views.ConsentRequestViewSet, basename="consent-request")
router.register("likeness-uses", views.LikenessUseViewSet, basename="likeness-use")

urlpatterns = router.urls
