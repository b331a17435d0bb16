"""The vocabulary of the generated data set: forces, areas, themes, and how statuses are spread."""

import datetime

from actions.models import Grade, InspectionKind, Status

# The 43 territorial police forces of England and Wales.
FORCE_NAMES = [
    "Avon and Somerset Constabulary",
    "Bedfordshire Police",
    "Cambridgeshire Constabulary",
    "Cheshire Constabulary",
    "City of London Police",
    "Cleveland Police",
    "Cumbria Constabulary",
    "Derbyshire Constabulary",
    "Devon and Cornwall Police",
    "Dorset Police",
    "Durham Constabulary",
    "Dyfed-Powys Police",
    "Essex Police",
    "Gloucestershire Constabulary",
    "Greater Manchester Police",
    "Gwent Police",
    "Hampshire and Isle of Wight Constabulary",
    "Hertfordshire Constabulary",
    "Humberside Police",
    "Kent Police",
    "Lancashire Constabulary",
    "Leicestershire Police",
    "Lincolnshire Police",
    "Merseyside Police",
    "Metropolitan Police Service",
    "Norfolk Constabulary",
    "North Wales Police",
    "North Yorkshire Police",
    "Northamptonshire Police",
    "Northumbria Police",
    "Nottinghamshire Police",
    "South Wales Police",
    "South Yorkshire Police",
    "Staffordshire Police",
    "Suffolk Constabulary",
    "Surrey Police",
    "Sussex Police",
    "Thames Valley Police",
    "Warwickshire Police",
    "West Mercia Police",
    "West Midlands Police",
    "West Yorkshire Police",
    "Wiltshire Police",
]
PEEL_AREAS = [
    "Preventing crime",
    "Police powers and public treatment",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders",
    "Developing a positive workplace",
    "Leadership and force management",
    "Recording data about crime",
]
THEMES = [
    "vetting and counter-corruption",
    "domestic abuse",
    "child protection",
    "stalking and harassment",
    "digital forensics",
    "custody",
    "roads policing",
    "neighbourhood policing",
    "violence against women and girls",
    "call handling",
]
SUBJECTS = [
    "investigation supervision",
    "crime recording accuracy",
    "call answering times",
    "risk assessment of vulnerable victims",
    "use of stop and search",
    "management of registered sex offenders",
    "wellbeing support for officers",
    "demand and resourcing plans",
    "quality of case files",
    "victim updates",
    "bail and released under investigation",
    "missing children reports",
    "digital evidence backlogs",
    "professional standards referrals",
]
VERBS = ["Review", "Improve", "Audit", "Introduce", "Train staff in", "Monitor", "Redesign"]
ROLE_TITLES = [
    "ACC Crime",
    "ACC Local Policing",
    "Head of Public Contact",
    "Head of Crime Registrar",
    "Chief Superintendent, Protecting Vulnerable People",
    "Head of People",
    "Detective Superintendent, Major Crime",
]
UNGRADED_KINDS = [InspectionKind.THEMATIC, InspectionKind.CRIME_DATA_INTEGRITY]
STATUS_WEIGHTS = {
    Status.NOT_STARTED: 14,
    Status.IN_PROGRESS: 34,
    Status.PROPOSED: 8,
    Status.SUSTAINING: 4,
    Status.CLOSED: 32,
    Status.BLOCKED: 4,
    Status.REOPENED: 4,
}
# Actions from inspections more than three years old are mostly finished, as in a real plan.
OLD_STATUS_WEIGHTS = {
    Status.NOT_STARTED: 1,
    Status.IN_PROGRESS: 6,
    Status.PROPOSED: 2,
    Status.SUSTAINING: 3,
    Status.CLOSED: 84,
    Status.BLOCKED: 2,
    Status.REOPENED: 2,
}
OLD_AFTER = datetime.timedelta(days=3 * 365)
GRADE_WEIGHTS = {
    Grade.OUTSTANDING: 3,
    Grade.GOOD: 25,
    Grade.ADEQUATE: 35,
    Grade.REQUIRES_IMPROVEMENT: 28,
    Grade.INADEQUATE: 9,
}
