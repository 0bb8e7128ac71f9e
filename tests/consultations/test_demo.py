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
