"""The Atom feed of an inspection's live public progress: one entry per public narrative."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from reports import progress


class PublicProgressFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, office, pk):
        return progress.public_inspection(office_slug=office, pk=pk)

    def title(self, inspection):
        return f"{inspection.title}: progress"

    def subtitle(self, inspection):
        return (
            f"Progress on the actions answering {inspection.title} ({inspection.force}), "
            f"as published for the public by {inspection.force.office}."
        )

    def link(self, inspection):
        return reverse(
            "reports:public_progress", args=[inspection.force.office.slug, inspection.pk]
        )

    def items(self, inspection):
        office = inspection.force.office.slug
        return [
            {**entry, "office": office} for entry in progress.public_updates(inspection, limit=50)
        ]

    def item_title(self, entry):
        return f"{entry['reference']}: progress update"

    def item_description(self, entry):
        return entry["text"]

    def item_link(self, entry):
        url = reverse(
            "reports:public_progress_history", args=[entry["office"], entry["inspection_id"]]
        )
        return f"{url}#{entry['anchor']}"

    def item_pubdate(self, entry):
        return entry["when"]

    def item_author_name(self, entry):
        return entry["role"] or None
