"""Celery entry points for briefing packs and the national view: each calls a service."""

import logging

from celery import shared_task

from reports import documents, services
from reports.models import BriefingPack

logger = logging.getLogger(__name__)


@shared_task
def render_pack_pdf(pack_id):
    """Render a pack's PDF with WeasyPrint and store it in private storage."""
    pack = BriefingPack.objects.select_related("meeting").get(pk=pack_id)
    rendered_from = services.pdf_inputs(pack)
    try:
        content = documents.pdf_bytes(pack)
    except Exception:
        # The page says the PDF failed and offers to try again; the error goes to the log.
        logger.exception("Briefing pack %s: PDF generation failed", pack_id)
        services.pack_pdf_failed(pack_id=pack_id)
        return None
    services.pack_store_pdf(pack_id=pack_id, content=content, rendered_from=rendered_from)
    return len(content)


@shared_task
def refresh_national_figures():
    """The national view's recurring findings and directions of travel, computed from published
    data and stored (beat, every NATIONAL_VIEW_REFRESH_MINUTES; and on publishing)."""
    stored = services.national_figures_refresh()
    return stored.computed_at.isoformat()
