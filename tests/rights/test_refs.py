"""Rights sees projects only as plain references, looked up through the directory projects registers."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from projects.consent import project_ref, shot_ref, version_ref
from projects.models import Project
from rights import refs
from tests.rights.conftest import make_version


def test_the_projects_app_registers_its_directory_at_start():
    from projects.consent import ProjectsDirectory

    assert isinstance(refs.project_directory(), ProjectsDirectory)


def test_without_a_registered_directory_lookups_fail_loudly(monkeypatch):
    monkeypatch.setattr(refs, "_directory", None)
    with pytest.raises(ImproperlyConfigured, match="ProjectsConfig.ready"):
        refs.project_directory()


def test_the_directory_answers_with_plain_references(world):
    directory = refs.project_directory()
    found = directory.project_by_code(organization_id=world.northlight.pk, code="MR")
    assert found == project_ref(world.mr)
    assert isinstance(found, refs.ProjectRef) and found.organization_id == world.northlight.pk
    assert directory.project_by_code(organization_id=world.harbor.pk, code="MR") is None
    assert set(directory.live_project_ids(organization_id=world.northlight.pk)) == {world.mr.pk, world.ot.pk}
    Project.objects.filter(pk=world.ot.pk).update(status=Project.Status.ARCHIVED)
    assert directory.live_project_ids(organization_id=world.northlight.pk) == [world.mr.pk]


def test_a_project_is_visible_to_organization_wide_members_of_its_studio_only(world):
    directory = refs.project_directory()
    assert directory.visible_project(user=world.nl_producer, project_id=world.mr.pk) == project_ref(world.mr)
    assert directory.visible_project(user=world.hb_producer, project_id=world.mr.pk) is None  # another studio
    assert directory.visible_project(user=world.nl_reviewer, project_id=world.mr.pk) is None  # not organization-wide
    assert directory.visible_project(user=world.agent, project_id=world.mr.pk) is None


def test_version_and_shot_references_carry_what_rights_reads(world, django_assert_num_queries):
    version = make_version(world, lineage={"job": "x", "prompt": "Ava Reyes"})
    plain = version_ref(version)
    assert (plain.id, plain.project_id, plain.lineage, plain.project) == (version.pk, world.mr.pk, version.lineage, None)
    fresh = type(version).objects.get(pk=version.pk)
    with django_assert_num_queries(1):  # the project and its studio in one query, as the policy used to read them
        with_project = version_ref(fresh, with_project=True)
    assert with_project.project == project_ref(world.mr) and with_project.project.organization == world.northlight
    assert shot_ref(world.shot) == refs.ShotRef(id=world.shot.pk, code="MR_010_0040", project_id=world.mr.pk)
