"""The generated data set's offices (one per force, named as each publishes) and its tri-force
collaboration (actions shared by three forces), for generate_dataset."""

from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from actions.models import ActionPartner
from tracker.models import Office

BATCH = 5000

# Offices that are not "the Office of the Police and Crime Commissioner for <area>": a mayor's
# office with PCC functions, and the City of London's police authority.
OFFICE_NAMES = {
    "City of London Police": "City of London Police Authority Board",
    "Greater Manchester Police": "Office of the Mayor of Greater Manchester",
    "Metropolitan Police Service": "Mayor's Office for Policing and Crime",
    "West Yorkshire Police": "Office of the Mayor of West Yorkshire",
}
# The tri-force collaboration (units shared by three forces), led by the first force named.
COLLABORATION = ["Hertfordshire Constabulary", "Bedfordshire Police", "Cambridgeshire Constabulary"]


def area_of(force_name):
    """ "Hertfordshire Constabulary" -> "Hertfordshire"."""
    for suffix in (" Constabulary", " Police Service", " Police"):
        if force_name.endswith(suffix):
            return force_name.removesuffix(suffix)
    return force_name


def office_name(force_name):
    return OFFICE_NAMES.get(
        force_name, f"Office of the Police and Crime Commissioner for {area_of(force_name)}"
    )


def offices_for(names):
    """Each force's office (one per force, by name), creating (with history) those missing."""
    wanted = {name: office_name(name) for name in names}
    existing = {o.name: o for o in Office.objects.filter(name__in=wanted.values())}
    slugs = set(Office.objects.values_list("slug", flat=True))
    missing = []
    for name in dict.fromkeys(wanted.values()):
        if name in existing:
            continue
        base = slugify(area_of(next(f for f, o in wanted.items() if o == name)))[:55] or "office"
        slug, n = base, 1
        while slug in slugs:
            n += 1
            slug = f"{base}-{n}"
        slugs.add(slug)
        missing.append(
            Office(name=name, slug=slug, panel_name=f"{area_of(name)} Police and Crime Panel")
        )
    bulk_create_with_history(missing, Office, default_change_reason="Generated data set")
    existing.update({office.name: office for office in missing})
    return {name: existing[office] for name, office in wanted.items()}


def collaboration_of(forces):
    """The tri-force collaboration among these forces: Hertfordshire, Bedfordshire and
    Cambridgeshire when all three are there, otherwise the first three (none for fewer)."""
    named = sorted(
        (force for force in forces if force.name in COLLABORATION),
        key=lambda force: COLLABORATION.index(force.name),
    )
    trio = named if len(named) == 3 else forces[:3]
    return trio if len(trio) == 3 else []


def share_collaboration(*, lead, partners, actions, every=10):
    """Share every `every`th of the lead force's actions with the partner forces (a unit the
    three forces run together), as collaboration_services would, with a history row each.
    Returns the history rows written."""
    partner_model = ActionPartner
    names = " and ".join(force.name for force in [lead, *partners])
    rows = [
        partner_model(
            action=action,
            force=force,
            shared_by=action.opcc_lead,
            shared_at=action.created_at,
            reason=f"Tri-force collaboration: a unit shared by {names}.",
        )
        for action in actions[::every]
        for force in partners
    ]
    for row in rows:
        row._history_date, row._history_user = row.shared_at, row.shared_by
    bulk_create_with_history(rows, partner_model, batch_size=BATCH)
    return len(rows)
