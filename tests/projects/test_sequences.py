"""A second sequence with the same code in one project is a clear 400, and nothing is written."""

import pytest
from rest_framework.exceptions import ValidationError

from projects import services
from projects.models import Project, Sequence


def test_duplicate_sequence_code_is_refused(demo):
    project = Project.objects.get(code="MR", organization__slug="northlight")
    producer = demo["users"]["producer@northlight.test"]
    services.create_sequence(actor=producer, project=project, code="MR_900")
    with pytest.raises(ValidationError) as refused:
        services.create_sequence(actor=producer, project=project, code="MR_900")
    assert "already exists" in refused.value.detail["code"][0]
    assert Sequence.objects.filter(project=project, code="MR_900").count() == 1
