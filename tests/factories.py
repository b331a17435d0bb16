"""factory_boy factories for every model; they write rows directly (history is written too)."""

import datetime
from contextlib import contextmanager

import factory
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from actions.models import (
    Action,
    ActionPartner,
    Evidence,
    Finding,
    Force,
    GradedArea,
    Inspection,
    Update,
)
from reports.models import Meeting, Question
from tracker import roles
from tracker.models import Office, User


def home_office():
    """The office every factory-made force, meeting and user is in unless a test says otherwise
    (a one-office deployment); OfficeFactory makes others."""
    return Office.objects.get_or_create(
        slug="testshire",
        defaults={"name": "Office of the Police and Crime Commissioner for Testshire"},
    )[0]


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Office of the Police and Crime Commissioner {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Force {n} Constabulary")
    office = factory.LazyFunction(home_office)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    force = None
    office = factory.LazyAttribute(lambda u: u.force.office if u.force else home_office())
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    force = factory.SubFactory(ForceFactory)
    title = factory.Sequence(lambda n: f"PEEL inspection {n}")
    published_on = datetime.date(2024, 10, 16)


class GradedAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradedArea

    inspection = factory.SubFactory(InspectionFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    grade = "adequate"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    area = factory.SubFactory(GradedAreaFactory, inspection=factory.SelfAttribute("..inspection"))
    kind = "afi"
    reference = factory.Sequence(lambda n: f"AFI {n}")
    text = "The force should improve how it supervises investigations."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    finding = factory.SubFactory(FindingFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = None
    opcc_lead = None
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    original_deadline = factory.SelfAttribute("deadline")


class ActionPartnerFactory(factory.django.DjangoModelFactory):
    """A partner force the action is shared with, written directly (the pages and
    collaboration_services.action_share check who may share; tests of them use the service)."""

    class Meta:
        model = ActionPartner

    action = factory.SubFactory(ActionFactory)
    force = factory.SubFactory(ForceFactory)
    shared_by = factory.SubFactory(UserFactory)
    reason = "A unit the forces run together."


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(UserFactory)
    narrative = "Progress made this month."
    status = "in_progress"
    rag = "green"
    percent_complete = 50


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    action = factory.SubFactory(ActionFactory)
    kind = "note"
    title = "Dip-sample results"
    note = "200 records checked; 94% compliant."
    submitted_by = factory.SubFactory(UserFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    office = factory.LazyFunction(home_office)
    kind = "apm"
    title = factory.Sequence(lambda n: f"Accountability & Performance Meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=21))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"When will the call-handling plan be reviewed? ({n})")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=28))


def persona(role, **fields):
    """A user with one role; action owners belong to a force."""
    if role == roles.ACTION_OWNER and "force" not in fields:
        fields["force"] = ForceFactory()
    return UserFactory(role=role, **fields)


def actions_for(force, count, **fields):
    """`count` actions on one inspection of `force`, spread over findings and graded areas."""
    inspection = InspectionFactory(force=force)
    areas = GradedAreaFactory.create_batch(3, inspection=inspection)
    findings = [
        FindingFactory(inspection=inspection, area=areas[n % 3]) for n in range(max(1, count // 2))
    ]
    return [ActionFactory(finding=findings[n % len(findings)], **fields) for n in range(count)]


def personas():
    """The named personas of tests/conftest.py and the owner's action, made at once, for data a
    module makes once (see kept_for_the_module)."""
    force = ForceFactory(name="Hertfordshire Constabulary")
    other_force = ForceFactory(name="Bedfordshire Police")
    opcc_officer = persona(roles.OPCC_STAFF, username="opcc", first_name="Priya", last_name="Shah")
    owner = persona(roles.ACTION_OWNER, username="owner", force=force, role_title="ACC Crime")
    return {
        "force": force,
        "opcc_officer": opcc_officer,
        "owner": owner,
        "other_force_owner": persona(roles.ACTION_OWNER, username="owner-beds", force=other_force),
        "panel_member": persona(roles.PANEL_MEMBER, username="panel"),
        "administrator": persona(roles.ADMINISTRATOR, username="sysadmin", is_staff=True),
        "action": ActionFactory(
            finding=FindingFactory(inspection__force=force), owner=owner, opcc_lead=opcc_officer
        ),
    }


@contextmanager
def kept_for_the_module(django_db_blocker):
    """For a module- or class-scoped fixture: rows made inside are kept for its tests and rolled
    back when the last of them ends. Each test's own transaction is a savepoint inside this one, so
    what a test writes is undone before the next test, as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
