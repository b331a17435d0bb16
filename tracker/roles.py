"""Roles and the one home for "who may see or change this": views, admin and selectors ask here."""

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from tracker.sql import in_subquery

OPCC_STAFF = "OPCC staff"
ACTION_OWNER = "Action owner"
PANEL_MEMBER = "Panel member"
ADMINISTRATOR = "Administrator"
# A national body (HMICFRS liaison, the APCC): reads only what offices have published, across
# every office (the national view, reports/national.py), and nothing else.
NATIONAL_READER = "National reader"
ROLES = [OPCC_STAFF, ACTION_OWNER, PANEL_MEMBER, ADMINISTRATOR, NATIONAL_READER]

# Model permissions per role, as "app_label.codename" patterns. Object-level rules (which force,
# whose action) are the functions below; these make Django admin and has_perm agree with them.
_ALL_ACTIONS = ["add", "change", "view"]
ROLE_PERMISSIONS = {
    OPCC_STAFF: {
        "actions": dict.fromkeys(
            ["force", "inspection", "gradedarea", "finding", "action", "update", "evidence"],
            _ALL_ACTIONS,
        ),
        "reports": dict.fromkeys(["meeting", "question", "briefingpack"], _ALL_ACTIONS),
    },
    ACTION_OWNER: {
        "actions": {
            "force": ["view"],
            "inspection": ["view"],
            "gradedarea": ["view"],
            "finding": ["view"],
            "action": ["view"],
            "update": ["add", "view"],
            "evidence": ["add", "view"],
        },
        "reports": {"meeting": ["view"]},
    },
    PANEL_MEMBER: {"reports": {"meeting": ["view"]}},
    NATIONAL_READER: {},  # no model: the national view reads published figures only
    ADMINISTRATOR: {
        "tracker": {"user": ["add", "change", "view"], "securityevent": ["view"]},
        "actions": {"reminder": ["view"]},  # the outbox, to see failed sends
        # Resetting a user's two-factor sign-in (a lost phone) is deleting their devices.
        "otp_totp": {"totpdevice": ["view", "delete"]},
        "otp_static": {"staticdevice": ["view", "delete"]},
        "auth": {"group": ["view"]},
    },
}


def sync_role_groups():
    """Create the role groups and give each exactly its permissions (safe to run repeatedly)."""
    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [
            (app_label, f"{verb}_{model}")
            for app_label, models in apps.items()
            for model, verbs in models.items()
            for verb in verbs
        ]
        perms = Permission.objects.filter(
            content_type__app_label__in=apps.keys(),
            codename__in=[codename for _, codename in codenames],
        ).select_related("content_type")
        wanted = [p for p in perms if (p.content_type.app_label, p.codename) in set(codenames)]
        group.permissions.set(wanted)


def role_names(user):
    """The user's role names, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names


def is_opcc_staff(user):
    # A superuser is not OPCC staff by default: case data is read through the role, which a
    # superuser must give themselves (a recorded role change) like anyone else. In SQL:
    # User.objects.opcc_staff() (tracker/models.py), which reminders and forms use.
    return OPCC_STAFF in role_names(user)


def is_action_owner(user):
    return ACTION_OWNER in role_names(user) and user.force_id is not None


def is_panel_member(user):
    return PANEL_MEMBER in role_names(user)


def is_national_reader(user):
    return NATIONAL_READER in role_names(user)


def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or ADMINISTRATOR in role_names(user))


# Giving and taking roles (the user admin). An administrator manages action owners and Panel
# members; OPCC staff (every force's case data) and Administrator (user management) are given and
# taken by a superuser only, and the accounts holding them are changed by a superuser only, so an
# administrator can neither promote themselves nor take over a more powerful account (by setting
# its password or email). Superuser status, groups and permissions are for superusers alone.
SUPERUSER_ONLY_ROLES = frozenset({OPCC_STAFF, ADMINISTRATOR})


def can_grant_role(user, role):
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return is_administrator(user) and role not in SUPERUSER_ONLY_ROLES


def can_change_user(user, target):
    """May `user` change `target`'s account (details, password, roles, active flag)? An
    administrator changes only the people of their own office (administers_office)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    if not is_administrator(user) or target.is_superuser:
        return False
    if not administers_office(user, target.office_id):
        return False
    held = set(target.groups.values_list("name", flat=True))
    return not held & SUPERUSER_ONLY_ROLES


# Which people an administrator (not a superuser) manages: those of their own office
# (office_id_of), and in a deployment with one office those with none set, who count as its.
# Another office's people are not in their user admin at all, and the office field offers their
# own office only. A superuser manages everyone. In SQL: administered_users (the admin's list).
def administers_office(user, office_id):
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    if not is_administrator(user):
        return False
    own = office_id_of(user)
    if office_id is None:
        return own is not None and own == sole_office_id(user)
    return own == office_id


def administered_users(user, users):
    """administers_office as a filter on a User queryset (tracker.admin's user list)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return users
    own = office_id_of(user) if is_administrator(user) else None
    if own is None:
        return users.none()
    return users.in_office(own)


def sole_office_id(user):
    """The deployment's one office (None when it has several or none), read once per request."""
    if not hasattr(user, "_sole_office_id"):
        offices = django_apps.get_model("tracker", "Office").objects
        user._sole_office_id = offices.sole_id(create=False)
    return user._sole_office_id


def primary_role(user):
    """The role that decides a user's landing page, most privileged first."""
    for role, test in [
        (OPCC_STAFF, is_opcc_staff),
        (ADMINISTRATOR, is_administrator),
        (ACTION_OWNER, is_action_owner),
        (PANEL_MEMBER, is_panel_member),
        (NATIONAL_READER, is_national_reader),
    ]:
        if test(user):
            return role
    return None


# Which force's records a user may see: the one scope rule. OPCC staff see the inspections,
# graded areas, findings and actions of their office's forces (Force.office); an action owner
# sees their own force's; no one else sees any. A deployment with one office is the old rule
# (every force) because every force is in it. sees_force says it in Python, force_scope in SQL
# (every visible_to filters on it); another office's record is then 404, as a missing one is.
def office_id_of(user):
    """The office a user works for (OPCC staff) or reads for (Panel members): their own, or
    in a deployment with one office, that office (so an account made before offices, or by a
    script, works as it always did). An action owner's scope is their force, not this."""
    if not user.is_authenticated:
        return None
    if user.office_id is not None:
        return user.office_id
    return sole_office_id(user)


def office_force_ids(user):
    """The ids of the forces the user's office oversees, read once per request."""
    if not hasattr(user, "_office_force_ids"):
        office_id = office_id_of(user)
        forces = django_apps.get_model("actions", "Force").objects
        ids = forces.filter(office_id=office_id).order_by().values_list("pk", flat=True)
        user._office_force_ids = frozenset(ids) if office_id else frozenset()
    return user._office_force_ids


def forget_office_forces(user):
    """After a force is added to the user's office: read its forces again on next use."""
    user.__dict__.pop("_office_force_ids", None)


def sees_force(user, force_id):
    if is_opcc_staff(user):
        return force_id in office_force_ids(user)
    return is_action_owner(user) and force_id == user.force_id


def force_scope(user, force_field="force_id"):
    """sees_force as a filter on `force_field` (the path from the model to its force's id).
    The office's forces are a literal list (office_force_ids, read once per request), so the
    filter is one indexed column and PostgreSQL estimates it from the column's statistics: a
    join to the force's office hid from the planner how few rows one office has."""
    if is_opcc_staff(user):
        if force_field in ("id", "pk") and office_id_of(user) is not None:
            return Q(office_id=office_id_of(user))
        return Q(**{f"{force_field}__in": sorted(office_force_ids(user))})
    if is_action_owner(user):
        return Q(**{force_field: user.force_id})
    return Q(pk__in=[])


# Collaborations: an action shared with partner forces (actions.models.ActionPartner) is seen
# by whoever sees any of them, as well as by whoever sees its owning force (Action.owning_force,
# the finding's inspection's). The owning office manages it (can_change_action); a partner
# office's staff read it; an owner in a partner force sees it, may be assigned it and then works
# on it as any owner does. can_see_action says it in Python, action_scope in SQL
# (ActionQuerySet.visible_to).
def action_scope(user, action_path=""):
    """can_see_action as a filter on the model `action_path` leads to an action from ("" for
    Action itself, "action__" for a model with an `action` foreign key). Both halves are keys an
    index answers (with a search's trigram indexes, before a row is read): the owning force on
    the action, and the shared actions' ids (tracker.sql.in_subquery)."""
    owning = force_scope(user, f"{action_path}owning_force_id")
    if not can_use_workspace(user):
        return owning
    partners = django_apps.get_model("actions", "ActionPartner").objects
    shared = partners.filter(force_scope(user, "force_id")).order_by().values("action_id")
    return owning | in_subquery(f"{action_path}pk", shared)


def partner_force_ids(action):
    """The ids of the forces an action is shared with; before it is saved, those its finding is
    shared with (the action will be shared with them as it is created)."""
    if action.pk is None:
        return finding_partner_force_ids(action.finding)
    return {partner.force_id for partner in action.partners.all()}


# A finding shared with partner forces (actions.models.FindingPartner): the same rule as an
# action's. Its actions are shared with the same forces (ActionPartner rows, which still decide
# who sees an action), so a partner sees the finding and its actions; the owning office manages
# both. can_see_finding says it in Python, finding_scope in SQL (FindingQuerySet.visible_to).
def finding_scope(user, finding_path=""):
    owning = force_scope(user, f"{finding_path}inspection__force_id")
    if not can_use_workspace(user):
        return owning
    partners = django_apps.get_model("actions", "FindingPartner").objects
    shared = partners.filter(force_scope(user, "force_id")).order_by().values("finding_id")
    return owning | in_subquery(f"{finding_path}pk", shared)


def finding_partner_force_ids(finding):
    if finding.pk is None:
        return set()
    return {partner.force_id for partner in finding.partners.all()}


def can_see_finding(user, finding):
    if sees_force(user, finding.inspection.force_id):
        return True
    return any(sees_force(user, force_id) for force_id in finding_partner_force_ids(finding))


def can_change_finding(user, finding):
    """Edit, add actions, link repeats, share: the owning office's staff only."""
    return can_manage_actions(user) and sees_force(user, finding.inspection.force_id)


def owning_force_id(action):
    return action.finding.inspection.force_id


def is_shared_with(user, action):
    """Does the user see this action only because it is shared with a force they see?"""
    if sees_force(user, owning_force_id(action)):
        return False
    return any(sees_force(user, force_id) for force_id in partner_force_ids(action))


def in_office(user, office_id):
    """Is this the office the user works for (OPCC staff) or reads for (Panel members)?"""
    return office_id is not None and office_id_of(user) == office_id


def can_see_action(user, action):
    if sees_force(user, owning_force_id(action)):
        return True
    return any(sees_force(user, force_id) for force_id in partner_force_ids(action))


# Evidence of a collaboration: the partner office's OPCC staff read and download it (they add,
# assure and return none: can_work_on_action and can_change_action are the owning office's);
# an owner in a partner force reads it only while they own the action or are its delegate, as
# the owners who work on it. Everyone who sees the owning force reads its evidence as before.
# can_see_evidence says it in Python, evidence_scope in SQL (EvidenceQuerySet.visible_to).
def can_see_evidence(user, action):
    """Read an action's evidence (the list on its page, its history, the downloads)."""
    if not can_see_action(user, action):
        return False
    if is_opcc_staff(user) or not is_shared_with(user, action):
        return True
    return action.is_assigned_to(user)


def evidence_scope(user, action_path="action__"):
    """can_see_evidence as a filter on the model `action_path` leads to an action from."""
    visible = action_scope(user, action_path)
    if is_opcc_staff(user) or not is_action_owner(user):
        return visible
    owning = force_scope(user, f"{action_path}owning_force_id")
    assigned = Q(**{f"{action_path}owner": user}) | Q(**{f"{action_path}delegate": user})
    return owning | (visible & assigned)


def can_change_action(user, action):
    """Edit, assign, close, reopen, assure, move deadlines, share: the owning office's staff
    (a partner office reads a shared action and cannot change it)."""
    return can_manage_actions(user) and sees_force(user, owning_force_id(action))


def can_work_on_action(user, action):
    """Post updates, add evidence, propose closure: the owning office's staff, or the owner or
    delegate (who may be in a partner force)."""
    if is_opcc_staff(user):
        return can_change_action(user, action)
    return can_see_action(user, action) and action.is_assigned_to(user)


def can_request_extension(user, action):
    """Ask for a later deadline: the open action's owner or delegate (OPCC staff move it)."""
    return can_see_action(user, action) and action.is_open and action.is_assigned_to(user)


def can_manage_actions(user):
    """Create and edit findings and actions, assure evidence, close, reopen, move deadlines."""
    return is_opcc_staff(user)


# The workspace (dashboards, lists, inspection, finding and action pages) and its status codes.
# Every workspace view applies the same four steps, in this order, so a URL answers the same
# way whichever page it is:
#   1. Signed out: redirect to sign-in (302).
#   2. Signed in without a workspace role (Panel member, administrator, no role): 403.
#   3. An object the user may not see (another force's inspection or action): 404, exactly as
#      if it did not exist, so guessing ids reveals nothing.
#   4. An object the user may see but a change their role or ownership does not allow (an owner
#      closing, or updating a colleague's action): 403.
def can_use_workspace(user):
    return is_opcc_staff(user) or is_action_owner(user)


def can_see_inspection(user, inspection):
    return sees_force(user, inspection.force_id)


def can_own_in_force(person, force_id):
    """An action's owner or delegate must be an action owner in the action's force (in SQL:
    User.objects.action_owners(force_id))."""
    return is_action_owner(person) and person.force_id == force_id


def assignable_force_ids(action):
    """The forces whose action owners may own the action: its own and, for a collaboration,
    its partners (in SQL: User.objects.action_owners(assignable_force_ids(action)))."""
    return {owning_force_id(action)} | partner_force_ids(action)


def can_assign_to(owner, action):
    return is_action_owner(owner) and owner.force_id in assignable_force_ids(action)


def can_lead_in_force(person, force_id):
    """An action's OPCC lead must be OPCC staff of the office overseeing the action's force (in
    SQL: User.objects.opcc_leads(force_id)): another office's officer would be chased about an
    action they cannot open."""
    return is_opcc_staff(person) and force_id in office_force_ids(person)


def can_lead_action(person, action):
    return can_lead_in_force(person, action.finding.inspection.force_id)


def can_lead_meeting(person, meeting):
    """A meeting's OPCC lead is OPCC staff of the meeting's office (User.objects.opcc_staff)."""
    return is_opcc_staff(person) and in_office(person, meeting.office_id)


# Which office a user belongs to (the user admin and tracker.services.user_roles_set). OPCC staff
# and Panel members need one once the deployment has several; an action owner's is their force's.
OFFICE_ROLES = frozenset({OPCC_STAFF, PANEL_MEMBER})


def needs_office(role_names):
    return bool(set(role_names) & OFFICE_ROLES)


# Meetings, calendar feeds and the JSON API (api/). The API answers exactly as the workspace
# does for inspections, graded areas, findings and actions (no token: 401; a role without the
# workspace: 403; another force's object: 404).
#
# Which meetings: the one rule below, used by the meeting pages, the API's meetings and the
# calendar feeds (and in SQL by reports.models.MeetingQuerySet.visible_to, which must agree).
# OPCC staff see their office's meetings. Everyone else sees only meetings held in public (APMs
# and Panel meetings), never an OPCC-only ("other") one: Panel members, who attend them, their
# office's; an action owner those with their own force's inspections on the agenda. The meeting
# pages themselves (questions, packs, editing) are OPCC staff's working pages: can_manage_meetings.
PUBLIC_MEETING_KINDS = ("apm", "panel")


def can_see_meetings(user):
    return can_use_workspace(user) or is_panel_member(user)


def can_see_meeting(user, meeting):
    if is_opcc_staff(user):
        return in_office(user, meeting.office_id)
    if meeting.kind not in PUBLIC_MEETING_KINDS:
        return False
    if is_panel_member(user):
        return in_office(user, meeting.office_id)
    return is_action_owner(user) and meeting.inspections.filter(force_id=user.force_id).exists()


def can_have_access_tokens(user):
    """Calendar feeds and API tokens are for roles with something to read: not administrators."""
    return can_see_meetings(user)


def can_see_opcc_calendar(user):
    return is_opcc_staff(user)


# Meetings and briefing packs (reports app). OPCC staff run meetings and write packs; the Panel
# reads published packs; the public reads packs marked public, at /public/. Signed out -> 302 to
# sign-in on every non-public page; another role -> 403; a draft pack to the Panel -> 404.
def can_manage_meetings(user):
    return is_opcc_staff(user)


def can_read_packs(user):
    return is_opcc_staff(user) or is_panel_member(user)


def can_read_force_papers(user):
    """The published papers' pages: those who read every published pack, and action owners,
    who read the papers of their own force's meetings (reports.selectors.readable_packs)."""
    return can_read_packs(user) or is_action_owner(user)


# The national view: what every office has published, for national readers (and superusers, who
# run the deployment). Not OPCC staff or the Panel: they read their own office's papers.
def can_see_national_view(user):
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return is_national_reader(user)


def sees_personal_names(user):
    """Owners' names appear only to signed-in OPCC staff; everyone else sees role titles."""
    return is_opcc_staff(user)
