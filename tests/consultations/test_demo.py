"""The demo data: a finished consultation with its matrix, and an open one; loading twice changes nothing."""

from __future__ import annotations


def test_demo_consultations(client, people):
    from consult.consultations import demo
    from consult.consultations.models import Comment, Consultation

    settings = client.app.state.settings
    lines = client.run(demo.load, settings)
    assert "created" in lines[0]
    assert client.run(demo.load, settings) == ["demo consultations already present"]

    async def counts():
        finished = await Consultation.get(title=demo.FINISHED_TITLE)
        return finished.id, await Comment.filter(consultation_id=finished.id).count()

    cid, comments = client.run(counts)
    assert comments >= 24
    amal = people.as_("amal")  # a panel member, invited by the demo
    assert "Draft guidance on consulting women" in amal.get("/consultations").text
    matrix = amal.get(f"/consultations/{cid}/matrix")
    assert matrix.status_code == 200 and "Figures by rank are added" in matrix.text
    diff = amal.get(f"/consultations/{cid}/diff?lang=fr")
    assert "<ins>la moitié</ins>" in diff.text


def test_every_page_renders_on_the_demo(client, people):
    from consult.consultations import demo
    from consult.consultations.models import Comment, Consultation, Paragraph

    client.run(demo.load, client.app.state.settings)

    async def ids():
        finished = await Consultation.get(title=demo.FINISHED_TITLE)
        current = await Consultation.get(title=demo.OPEN_TITLE)
        comment = await Comment.filter(consultation_id=current.id).first()
        paragraph = await Paragraph.get(id=comment.paragraph_id)
        return finished.id, current.id, comment.id, paragraph.key

    finished, current, comment, key = client.run(ids)
    pages = [f"/consultations/{finished}", f"/consultations/{finished}?v=1&lang=fr", f"/consultations/{finished}/diff",
             f"/consultations/{finished}/matrix", f"/consultations/{finished}/mine", f"/consultations/{current}",
             f"/consultations/{current}/p/{key}", f"/consultations/{current}/p/{key}?reply={comment}&lang=fr",
             f"/consultations/{current}/comments/{comment}/flag", f"/consultations/{current}/mine"]
    admin_pages = [f"/consultations/{current}/draft", f"/consultations/{current}/invitees",
                   f"/consultations/{current}/moderation", f"/consultations/{current}/settings",
                   f"/consultations/{current}/comments/{comment}/respond", f"/consultations/{current}/matrix",
                   "/consultations/new", "/consultations", "/consultations/groups",
                   f"/consultations/groups/{client.run(_demo_group_id)}"]
    for who, paths in (("amal", pages), ("admin", pages + admin_pages)):
        reader = people.as_(who)
        for path in paths:
            response = reader.get(path)
            assert response.status_code == 200, (who, path, response.text[-500:])
    assert people.as_("amal").get(f"/consultations/{current}/matrix").status_code == 403


async def _demo_group_id() -> int:
    from consult.consultations.models import Group

    return (await Group.get(name="Advisory panel")).id
