"""Demo consultations (``consult demo``): a finished consultation on the draft action plan — two versions, a few dozen
comments with their published responses — and an open one, both in English and French, on the four WPS objectives.
Loaded once; no mail is sent for them."""

from __future__ import annotations

import datetime as dt
import itertools

from consult.accounts import clock
from consult.accounts.models import Role, User
from consult.consultations import service
from consult.consultations.drafts import align_languages, parse_markdown
from consult.consultations.models import (Comment, Consultation, Group, GroupInvitation, GroupMember, Invitee,
                                          Paragraph, Phase, Status, Support)
from consult.settings import Settings

FINISHED_TITLE = "Draft action plan on Women, Peace and Security 2025–2027"
OPEN_TITLE = "Draft guidance on consulting women's organisations in crisis response"

PLAN_V1_EN = """# Gender-responsive leadership and accountability

Each ally designates a senior official accountable for the implementation of this action plan.

Progress is reported to the panel every year, with figures broken down by sex.

The secretariat publishes an annual summary of what was done and what was not.

# Women's participation at all levels

Women make up at least a third of the delegations to alliance negotiations.

Civil society organisations are consulted before each summit.

Barriers to the recruitment of women in national forces are identified and reduced.

# Preventing threats with a disproportionate impact on women and girls

Early-warning systems include indicators on the security of women and girls.

Risk assessments consider online harassment and disinformation aimed at women.

# Protecting women and girls against gender-based violence

Personnel deployed on missions are trained to prevent sexual exploitation and abuse.

Survivors have access to confidential reporting and to support services.
"""

PLAN_V1_FR = """# Leadership et responsabilité tenant compte du genre

Chaque Allié désigne un haut responsable chargé de la mise en œuvre de ce plan d'action.

Les progrès sont présentés au panel chaque année, avec des chiffres ventilés par sexe.

Le secrétariat publie un bilan annuel de ce qui a été fait et de ce qui ne l'a pas été.

# Participation des femmes à tous les niveaux

Les femmes représentent au moins un tiers des délégations aux négociations de l'Alliance.

Les organisations de la société civile sont consultées avant chaque sommet.

Les obstacles au recrutement des femmes dans les forces nationales sont recensés et réduits.

# Prévenir les menaces qui touchent de façon disproportionnée les femmes et les filles

Les systèmes d'alerte précoce comprennent des indicateurs sur la sécurité des femmes et des filles.

Les évaluations des risques tiennent compte du harcèlement en ligne et de la désinformation visant les femmes.

# Protéger les femmes et les filles contre la violence fondée sur le genre

Le personnel déployé en mission est formé à la prévention de l'exploitation et des abus sexuels.

Les survivantes ont accès à un signalement confidentiel et à des services d'accompagnement.
"""

PLAN_V2_EN = PLAN_V1_EN.replace(
    "Women make up at least a third of the delegations", "Women make up at least half of the delegations").replace(
    "Civil society organisations are consulted before each summit.",
    "Civil society organisations, including women's organisations from conflict-affected countries, are consulted "
    "before each summit and told how their advice was used.").replace(
    "Survivors have access to confidential reporting and to support services.",
    "Survivors have access to confidential reporting and to support services.\n\n"
    "Funding for survivor-centred services is set aside in each mission budget.")

PLAN_V2_FR = PLAN_V1_FR.replace(
    "au moins un tiers des délégations", "au moins la moitié des délégations").replace(
    "Les organisations de la société civile sont consultées avant chaque sommet.",
    "Les organisations de la société civile, y compris les organisations de femmes des pays touchés par un conflit, "
    "sont consultées avant chaque sommet et informées de la suite donnée à leurs avis.").replace(
    "Les survivantes ont accès à un signalement confidentiel et à des services d'accompagnement.",
    "Les survivantes ont accès à un signalement confidentiel et à des services d'accompagnement.\n\n"
    "Un financement des services centrés sur les survivantes est prévu dans le budget de chaque mission.")

GUIDANCE_EN = """# Before a crisis

Missions keep an up-to-date list of women's organisations in their area of operation.

# During a crisis

Women's organisations are invited to the first coordination meeting and to every one after it.

Meetings are held at times and places that are safe for women to attend.

# After a crisis

Lessons learned are written with the women's organisations that took part.
"""

GUIDANCE_FR = """# Avant une crise

Les missions tiennent à jour la liste des organisations de femmes de leur zone d'opération.

# Pendant une crise

Les organisations de femmes sont invitées à la première réunion de coordination et à toutes les suivantes.

Les réunions se tiennent à des heures et dans des lieux où les femmes peuvent se rendre en sécurité.

# Après une crise

Les enseignements sont rédigés avec les organisations de femmes qui y ont participé.
"""

#: (comment, status, response) — the demo comment matrix.
COMMENTS = [
    ("Name the official and publish the name, so that we know whom to ask.", Status.ACCEPTED,
     "The plan now asks each ally to publish the name and contact of the official."),
    ("Annual reporting is too rare during an active conflict.", Status.NOT_ACCEPTED,
     "Reporting more often would exceed the capacity of many allies; the panel may ask for ad hoc briefings."),
    ("Please add figures on women in leadership positions, not only totals.", Status.PARTIAL,
     "Figures by rank are added where allies collect them."),
    ("The summary should also say what was not done, and why.", Status.NOTED,
     "The paragraph already asks for this; we will make sure the summary does it."),
    ("A third is not enough: the target should be parity.", Status.ACCEPTED,
     "The target is now at least half of each delegation."),
    ("Consultation must come early enough to change the text.", Status.ACCEPTED,
     "The plan now asks that organisations be consulted before each summit and told how their advice was used."),
    ("Include organisations from conflict-affected countries, not only those in capitals.", Status.ACCEPTED,
     "Added to the paragraph."),
    ("Childcare and flexible hours are the first barriers; name them.", Status.PARTIAL,
     "The barriers are to be identified by each ally; these two are given as examples in the annex."),
    ("Indicators should be developed with local women's groups.", Status.NOTED,
     "This will be part of the guidance on early warning."),
    ("Online harassment of women peacebuilders is a real threat; good.", Status.NOTED,
     "Thank you; the paragraph is kept."),
    ("Add disinformation campaigns against women candidates in elections.", Status.PARTIAL,
     "Elections are covered where alliance missions operate."),
    ("Training alone does not work without accountability for abuses.", Status.NOTED,
     "Accountability is addressed under the first objective."),
    ("Reporting must be possible in local languages and without a smartphone.", Status.ACCEPTED,
     "The reporting channels will be available in local languages and by phone."),
    ("Services need money: without a budget line, this is a wish.", Status.ACCEPTED,
     "A new paragraph sets funding aside in each mission budget."),
    ("Les chiffres devraient aussi couvrir les personnels civils.", Status.PARTIAL,
     "Les personnels civils sont inclus lorsque les Alliés les comptent."),
    ("Il faut une date pour la première désignation.", Status.NOT_ACCEPTED,
     "Le calendrier relève de chaque Allié ; le bilan annuel le rendra visible."),
    ("La parité devrait aussi valoir pour les chefs de délégation.", Status.NOTED,
     "Le panel pourra suivre ce point dans le bilan annuel."),
    ("Consulter ne suffit pas : il faut rendre compte de ce qui a été retenu.", Status.ACCEPTED,
     "Le paragraphe prévoit désormais d'informer les organisations de la suite donnée."),
    ("Les survivantes doivent pouvoir choisir qui les accompagne.", Status.NOTED,
     "Ce principe figurera dans les lignes directrices des missions."),
    ("Prévoir des indicateurs sur les violences en ligne.", Status.PARTIAL,
     "Un indicateur sur le harcèlement en ligne est ajouté aux évaluations des risques."),
]

OPEN_COMMENTS = [
    "The list should be shared with the women's organisations themselves, with their consent.",
    "Safety also means transport home after the meeting.",
    "Les enseignements doivent être publiés dans les langues locales.",
    "Invite organisations of displaced women too, not only local ones.",
]


async def _version(consultation: Consultation, english: str, french: str, note: str = "") -> None:
    rows = align_languages({"en": parse_markdown(english), "fr": parse_markdown(french)}, ["en", "fr"])
    await service.add_version(consultation, rows, note)


async def load(settings: Settings) -> list[str]:
    if await Consultation.exists(title=FINISHED_TITLE):
        return ["demo consultations already present"]
    admin = await User.filter(role=Role.ADMIN.value).order_by("id").first()
    panel = list(await User.filter(role=Role.PANEL.value, is_active=True).order_by("id"))
    if admin is None or not panel:
        return ["demo consultations skipped: load the demo accounts first"]
    now = clock.now()
    finished = await Consultation.create(
        title=FINISHED_TITLE, summary="The draft plan on the four strategic objectives, after the panel's comments.",
        languages=["en", "fr"], opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=30),
        time_zone="Europe/Brussels", phase=Phase.PUBLISHED.value, visibility="members", show_authors=False,
        created_by=admin, created_at=now - dt.timedelta(days=61), opened_at=now - dt.timedelta(days=60),
        closed_at=now - dt.timedelta(days=30), published_at=now - dt.timedelta(days=10),
        reminder_sent_at=now - dt.timedelta(days=33))
    current = await Consultation.create(
        title=OPEN_TITLE, summary="How missions involve women's organisations before, during and after a crisis.",
        languages=["en", "fr"], opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=20),
        time_zone="Europe/Brussels", phase=Phase.OPEN.value, visibility="members", show_authors=True,
        created_by=admin, created_at=now - dt.timedelta(days=6), opened_at=now - dt.timedelta(days=5))
    # The panel is invited as a group, so that a member added to it later is invited to the open consultation.
    group, _ = await Group.get_or_create(name="Advisory panel", defaults={"created_at": now - dt.timedelta(days=90)})
    for user in panel:
        await GroupMember.get_or_create(group=group, user=user, defaults={"added_at": now - dt.timedelta(days=90)})
    for consultation in (finished, current):
        await GroupInvitation.create(consultation=consultation, group=group, invited_at=now - dt.timedelta(days=60))
        for user in panel:
            await Invitee.create(consultation=consultation, user=user, invited_at=now - dt.timedelta(days=60))

    await _version(finished, PLAN_V1_EN, PLAN_V1_FR)
    v1 = await service.latest_version(finished)
    v1_paragraphs = [p for p in await service.paragraphs_of(v1) if not p.is_heading]
    await _version(finished, PLAN_V2_EN, PLAN_V2_FR, note="After the consultation")
    v2 = await service.latest_version(finished)
    v2_keys = {p.key for p in await Paragraph.filter(version_id=v2.id)}
    authors = itertools.cycle(panel)
    made = []
    for i, (body, status, response) in enumerate(COMMENTS):
        paragraph = v1_paragraphs[i % len(v1_paragraphs)]
        comment = await Comment.create(
            consultation=finished, paragraph=paragraph, author=next(authors), body=body,
            language="fr" if body.startswith(("Les ", "Il ", "La ", "Consulter", "Prévoir")) else "en",
            created_at=now - dt.timedelta(days=55 - i), status=status.value, response=response,
            response_paragraph_key=paragraph.key if status in (Status.ACCEPTED, Status.PARTIAL)
            and paragraph.key in v2_keys else None,
            responded_at=now - dt.timedelta(days=12))
        made.append(comment)
    for i, comment in enumerate(made[:12]):
        reply = await Comment.create(
            consultation=finished, paragraph_id=comment.paragraph_id, parent=comment, author=next(authors),
            body="I agree with this." if i % 2 else "Seconded, and it matters most in field missions.",
            created_at=comment.created_at + dt.timedelta(hours=5), status=Status.NOTED.value,
            response="Thank you for the support.", responded_at=now - dt.timedelta(days=12))
        made.append(reply)
    for i, comment in enumerate(made):
        for supporter in panel[: i % (len(panel) + 1)]:
            if supporter.id != comment.author_id:
                await Support.create(comment=comment, user=supporter, created_at=comment.created_at)

    await _version(current, GUIDANCE_EN, GUIDANCE_FR)
    open_paragraphs = [p for p in await service.paragraphs_of(await service.latest_version(current))
                       if not p.is_heading]
    for i, body in enumerate(OPEN_COMMENTS):
        await Comment.create(consultation=current, paragraph=open_paragraphs[i % len(open_paragraphs)],
                             author=next(authors), body=body, language="fr" if body.startswith("Les ") else "en",
                             created_at=now - dt.timedelta(days=4 - i))
    return [f"demo consultations created: a finished one ({len(made)} comments with responses, two versions) "
            "and an open one"]
