"""The consultation routes; the paths are part of the contract (see the issue)."""

from starlette.routing import Route

from consult.consultations import groups, views

GET_POST = ["GET", "POST"]

routes = [
    Route("/consultations", views.consultation_list, name="consultations"),
    Route("/consultations/new", views.consultation_new, methods=GET_POST),
    Route("/consultations/groups", groups.group_list, methods=GET_POST),
    Route("/consultations/groups/{gid:int}", groups.group_edit, methods=GET_POST),
    Route("/consultations/groups/{gid:int}/delete", groups.group_delete, methods=["POST"]),
    Route("/consultations/unsubscribe/{token}", views.unsubscribe, methods=GET_POST),
    Route("/consultations/{id:int}", views.consultation_detail),
    Route("/consultations/{id:int}/settings", views.consultation_settings, methods=GET_POST),
    Route("/consultations/{id:int}/draft", views.draft_edit, methods=GET_POST),
    Route("/consultations/{id:int}/diff", views.version_diff_page),
    Route("/consultations/{id:int}/invitees", views.invitees_page, methods=GET_POST),
    Route("/consultations/{id:int}/phase/{action}", views.phase_change, methods=["POST"]),
    Route("/consultations/{id:int}/p/{key}", views.paragraph_page, methods=GET_POST),
    Route("/consultations/{id:int}/comments/{cid}", views.comment_link),
    Route("/consultations/{id:int}/comments/{cid}/edit", views.comment_edit, methods=GET_POST),
    Route("/consultations/{id:int}/comments/{cid}/support", views.comment_support, methods=["POST"]),
    Route("/consultations/{id:int}/comments/{cid}/flag", views.comment_flag, methods=GET_POST),
    Route("/consultations/{id:int}/comments/{cid}/hide", views.comment_hide, methods=["POST"]),
    Route("/consultations/{id:int}/comments/{cid}/restore", views.comment_restore, methods=["POST"]),
    Route("/consultations/{id:int}/comments/{cid}/respond", views.comment_respond, methods=GET_POST),
    Route("/consultations/{id:int}/moderation", views.moderation),
    Route("/consultations/{id:int}/mine", views.my_comments),
    Route("/consultations/{id:int}/matrix", views.comment_matrix),
]
