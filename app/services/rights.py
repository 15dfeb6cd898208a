"""Victims' rights content for the UI: topics, search, the "which path fits" guide and the leaflet.

One source (``assets/rights``) feeds the Rights page, the forum presentation and the printed
leaflet, so the three never disagree. The content is read once per run and cached.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from app.core import clock
from app.core.court import court_on
from app.core.court_text import court_today
from app.core.path_explainer import PathExplainer, load_path_explainer
from app.core.reparations import reparations_today
from app.core.rights import RightsTopic, TopicText, for_phase, load_rights, search_rights
from app.pdf.documents import LeafletTopic, render_leaflet
from app.services.context import AppContext

LEAFLET_LANGUAGES: tuple[str, ...] = ("km", "en")


@lru_cache(maxsize=1)
def _cached_topics() -> tuple[RightsTopic, ...]:
    return tuple(load_rights())


@lru_cache(maxsize=1)
def _cached_explainer() -> PathExplainer:
    return load_path_explainer()


def rights_topics() -> list[RightsTopic]:
    """Every rights topic in reading order (read from ``assets/rights`` once per run).

    Raises ``app.core.rights.RightsError`` when a content file is malformed.
    """
    return list(_cached_topics())


COURT_TODAY_TOPIC = "court_today"


def court_today_topic(day: date) -> RightsTopic:
    """The court on ``day`` (phase, what the VSS does, each case's state) as a topic of its own,
    built from ``assets/court.yaml``; shown first on the Rights screen and the leaflet."""
    from app.services.court import court

    title, paragraphs, source = court_today(court_on(day, court()))
    texts = {
        lang: TopicText(lang, title.get(lang), source, tuple(p.get(lang) for p in paragraphs))
        for lang in LEAFLET_LANGUAGES
    }
    return RightsTopic(COURT_TODAY_TOPIC, 0, MappingProxyType(texts))


REPARATION_PROJECTS_TOPIC = "reparation_projects"
REPARATIONS_TOPIC = "reparations"  # the general topic the projects follow (assets/rights)


def reparation_projects_topic(day: date, brief: bool = False) -> RightsTopic:
    """The projects the court awarded (``assets/reparations.yaml``), as true on ``day``: collective
    and moral, monitored by the court until its residual functions end. ``brief``: without each
    project's description (for the printed leaflet)."""
    from app.services.court import court, reparations

    now = court_on(day, court())
    title, paragraphs, source = reparations_today(now, reparations(), brief=brief)
    texts = {
        lang: TopicText(lang, title.get(lang), source, tuple(p.get(lang) for p in paragraphs))
        for lang in LEAFLET_LANGUAGES
    }
    return RightsTopic(REPARATION_PROJECTS_TOPIC, 0, MappingProxyType(texts))


def reparation_contact_form_id() -> str | None:
    """The form that records a person's participation or feedback on a reparation project (the
    form with a ``reparation_project`` field), or None when no form has one."""
    from app.core.forms import FieldRole
    from app.services.form_catalogue import available_forms

    return next(
        (
            form.id
            for form in available_forms().values()
            if form.field_with_role(FieldRole.REPARATION_PROJECT) is not None
        ),
        None,
    )


def rights_topics_on(day: date, brief: bool = False) -> list[RightsTopic]:
    """The topics as true on ``day``: the court today first, then the texts of the court's phase
    on that day (slides meant for other phases left out), the awarded reparation projects right
    after the topic on reparations (``brief``: those projects in a few words, for print)."""
    from app.services.court import court

    phase = court_on(day, court()).phase.id
    topics = [court_today_topic(day), *for_phase(_cached_topics(), phase)]
    after = next((i for i, t in enumerate(topics) if t.id == REPARATIONS_TOPIC), len(topics) - 1)
    topics.insert(after + 1, reparation_projects_topic(day, brief))
    return topics


def reload_rights() -> None:
    """Forget the cached content, so an edited ``assets/rights`` is read again."""
    _cached_topics.cache_clear()
    _cached_explainer.cache_clear()


def search(query: str, lang: str | None = None) -> list[RightsTopic]:
    """Topics whose title, source or text contain ``query`` (a Khmer substring or English words).

    Without ``lang`` both languages are searched; with it, only that language. An empty query
    gives every topic.
    """
    if not query.strip():
        return rights_topics()
    return [topic for topic, _lang in search_rights(_cached_topics(), query, lang)]


def path_explainer() -> PathExplainer:
    """The yes/no guide suggesting a complaint or a civil party application."""
    return _cached_explainer()


def leaflet_topics(lang_first: str = "km", day: date | None = None) -> list[LeafletTopic]:
    """The topics as leaflet panels, as true on ``day`` (today by default). The leaflet prints
    its ``*_km`` fields first; with ``lang_first="en"`` the English text takes that first place
    (for an English-first print)."""
    if lang_first not in LEAFLET_LANGUAGES:
        raise ValueError(f"lang_first must be one of {LEAFLET_LANGUAGES}, not {lang_first!r}")
    second = "en" if lang_first == "km" else "km"
    leaflet: list[LeafletTopic] = []
    for topic in rights_topics_on(day or clock.today(), brief=True):
        first_text, second_text = topic.text(lang_first), topic.text(second)
        leaflet.append(
            LeafletTopic(
                title_km=first_text.title,
                title_en=second_text.title,
                body_km=first_text.body,
                body_en=second_text.body,
                source=first_text.source,
            )
        )
    return leaflet


def render_rights_leaflet(
    out: Path, lang_first: str = "km", day: date | None = None, ctx: AppContext | None = None
) -> int:
    """Print every topic as a folded leaflet PDF to ``out``; returns the number of pages. With
    ``ctx`` the leaflet is true on the app's day, and a training print says so on every page."""
    if ctx is None:
        return render_leaflet(leaflet_topics(lang_first, day), out)
    from app.services import court as court_service

    with court_service.printing(ctx):
        return render_leaflet(leaflet_topics(lang_first, court_service.as_of(ctx)), out)
