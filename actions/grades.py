"""The direction of travel between two grades (across the 2021/22 change of scale), and the
areas PEEL renamed between rounds."""

import datetime
from dataclasses import dataclass

# HMICFRS graded on four tiers (outstanding, good, requires improvement, inadequate) until
# PEEL 2021/22 added Adequate. No PEEL report on the old scale was published after 2020 and
# none on the new one before this day, so an inspection published earlier was graded on four.
FIVE_TIER_FROM = datetime.date(2021, 4, 1)

# Higher is better. The four-tier grades keep their order on the five-tier scale.
RANK = {
    "outstanding": 5,
    "good": 4,
    "adequate": 3,
    "requires_improvement": 2,
    "inadequate": 1,
}
FOUR_TIER = {"outstanding", "good", "requires_improvement", "inadequate"}

# PEEL 2023-25's area names -> the PEEL 2021/22 areas they follow. Any other name follows the
# area of the same name.
PEEL_PREDECESSORS = {
    "Preventing crime": "Preventing crime and anti-social behaviour",
    "Police powers and public treatment": "Treatment of the public",
    "Managing offenders": "Managing offenders and suspects",
    "Developing a positive workplace": "Building, supporting and protecting the workforce",
    "Leadership and force management": (
        "Strategic planning, organisational management and value for money"
    ),
}

TREND_LABELS = {"improved": "Improved", "declined": "Declined", "same": "No change"}


def predecessor_name(name):
    """The name of the area an area of this name follows in the previous PEEL round."""
    return PEEL_PREDECESSORS.get(name.strip(), name.strip())


def four_tier(published_on):
    """Whether an inspection published on this day was graded on the four-tier scale."""
    return published_on is not None and published_on < FIVE_TIER_FROM


@dataclass(frozen=True)
class Direction:
    """'improved', 'declined' or 'same'; or no trend, with the reason it is not comparable."""

    trend: str | None
    reason: str = ""

    @property
    def label(self):
        if self.trend:
            return TREND_LABELS[self.trend]
        if self.reason == NO_EARLIER:
            return "No earlier inspection on record"
        return f"Not comparable: {self.reason}" if self.reason else "Not comparable"


# The reason when the inspection follows none on record: nothing to compare, rather than a
# comparison that cannot be made.
NO_EARLIER = "no earlier inspection on record"


def direction_of_travel(grade, previous_grade, *, four_tier_then=False, four_tier_now=False):
    """The one rule for an area's direction of travel since its predecessor's grade.

    On the same scale, the ranks compare. Across the 2021/22 change of scale the words kept
    their order, so a grade that exists on both scales compares with one that did (Good then and
    Good now is no change, Good then and Requires improvement now a decline); Adequate had no
    four-tier counterpart, so it compares with nothing graded on four tiers."""
    if grade not in RANK:
        return Direction(None, "not graded in this inspection")
    if previous_grade not in RANK:
        return Direction(None, "not graded in the previous inspection")
    if four_tier_then != four_tier_now and not {grade, previous_grade} <= FOUR_TIER:
        scale = "then" if four_tier_then else "now"
        return Direction(None, f"graded on the four-tier scale {scale}, which had no Adequate")
    now, before = RANK[grade], RANK[previous_grade]
    if now == before:
        return Direction("same")
    return Direction("improved" if now > before else "declined")


def compared_with_previous(areas, previous_areas, *, published_on, previous_published_on):
    """Each area beside the one it follows in the previous inspection (or None) and the
    direction of travel between their grades: what the inspection page and the pack show."""
    four_tier_now, four_tier_then = four_tier(published_on), four_tier(previous_published_on)
    rows = []
    for area in areas:
        previous = area.predecessor_among(previous_areas)
        if not previous_areas:
            direction = Direction(None, NO_EARLIER)
        else:
            direction = direction_of_travel(
                area.grade,
                previous.grade if previous else None,
                four_tier_then=four_tier_then,
                four_tier_now=four_tier_now,
            )
        rows.append({"area": area, "previous_area": previous, "direction": direction})
    return rows
