
from studio.audit.api import views
from studio.http.ids import SEQUENCE_PATTERN, IdRouter

router = IdRouter(pattern=SEQUENCE_PATTERN)
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
urlpatterns = router.urls
