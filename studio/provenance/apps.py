from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "studio.provenance"
    label = "provenance"
    verbose_name = "Content Credentials (C2PA)"
