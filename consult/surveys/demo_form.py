"""The demonstration questionnaire: a perception survey on women's safety and participation, in five languages.

:func:`build_demo_xlsform` writes it as an XLSForm workbook (in memory, with openpyxl), exactly as a panel
member would upload it, so the demo exercises the real importer. Languages: English, French, Ukrainian,
Arabic and Persian (Dari readers read the same script; Arabic and Persian are right-to-left).

It shows every feature the platform supports: pages (groups) with skip logic, a page skipped by its own
``relevant``, Likert ranges, a country-dependent region list (``choice_filter``), an integer with a range
constraint, a date with a constraint, exclusive "none" answers in multiple choices, a sensitive section behind
an explicit opt-in with "I prefer not to say" everywhere, and three weighting variables.
"""

from __future__ import annotations

import io
import re
from typing import Any

__all__ = ["LANGUAGES", "build_demo_xlsform"]

#: Language codes with the names the column headers give them.
LANGUAGES = {
    "en": "English",
    "fr": "Français",
    "uk": "Українська",
    "ar": "العربية",
    "fa": "فارسی",
}
ZWNJ = "\u200c"  # Persian zero-width non-joiner, written "~" in the Persian texts below for readability


def T(en: str, fr: str, uk: str, ar: str, fa: str) -> dict[str, str]:
    """One text in the five languages (French gets its non-breaking spaces before ? ! : ; and »)."""
    fr = re.sub(r" ([?!:;»])", "\u00a0\\1", fr).replace("« ", "«\u00a0")
    return {"en": en, "fr": fr, "uk": uk, "ar": ar, "fa": fa.replace("~", ZWNJ)}


# ------------------------------------------------------------------------------------------ shared texts

PREFER_NOT = T("I prefer not to say", "Je préfère ne pas répondre", "Не хочу відповідати", "أفضّل عدم الإجابة",
               "ترجیح می~دهم پاسخ ندهم")
YES = T("Yes", "Oui", "Так", "نعم", "بله")
NO = T("No", "Non", "Ні", "لا", "نه")
DONT_KNOW = T("I don't know", "Je ne sais pas", "Не знаю", "لا أعرف", "نمی~دانم")
MAYBE = T("Maybe", "Peut-être", "Можливо", "ربما", "شاید")

AGREE_HINT = T(
    "1 = strongly disagree · 5 = strongly agree",
    "1 = pas du tout d'accord · 5 = tout à fait d'accord",
    "1 = зовсім не погоджуюся · 5 = повністю погоджуюся",
    "1 = لا أوافق إطلاقاً · 5 = أوافق تماماً",
    "۱ = کاملاً مخالفم · ۵ = کاملاً موافقم",
)
TRUST_HINT = T(
    "1 = not at all · 5 = completely",
    "1 = pas du tout · 5 = entièrement",
    "1 = зовсім не довіряю · 5 = повністю довіряю",
    "1 = لا أثق إطلاقاً · 5 = أثق تماماً",
    "۱ = اصلاً · ۵ = کاملاً",
)
LIKERT = "start=1 end=5 step=1"
CONSENTED = "${consent} = 'yes'"
GBV_OPTED_IN = "${gbv_continue} = 'yes'"


# --------------------------------------------------------------------------------------------- survey


def _survey() -> list[dict[str, Any]]:
    return [
        # -- welcome and consent ------------------------------------------------------------------
        {"type": "begin group", "name": "intro",
         "label": T("Welcome", "Bienvenue", "Ласкаво просимо", "مرحباً", "خوش آمدید")},
        {"type": "note", "name": "welcome", "label": T(
            "Thank you for taking part in this survey by the Civil Society Advisory Panel on Women, Peace and "
            "Security. It takes about 15 minutes. Your answers are anonymous, and you may stop at any time.",
            "Merci de participer à cette enquête du Panel consultatif de la société civile sur les femmes, la paix "
            "et la sécurité. Elle dure environ 15 minutes. Vos réponses sont anonymes et vous pouvez arrêter à tout "
            "moment.",
            "Дякуємо за участь в опитуванні Консультативної групи громадянського суспільства з питань «Жінки, мир "
            "і безпека». Воно триває близько 15 хвилин. Ваші відповіді анонімні, і ви можете припинити участь у "
            "будь-який момент.",
            "شكراً لمشاركتك في هذا الاستبيان الذي يجريه الفريق الاستشاري للمجتمع المدني المعني بالمرأة والسلام "
            "والأمن. يستغرق نحو 15 دقيقة. إجاباتك مجهولة الهوية، ويمكنك التوقف في أي وقت.",
            "از شرکت شما در این نظرسنجی هیئت مشورتی جامعهٔ مدنی در زمینهٔ زنان، صلح و امنیت سپاسگزاریم. پاسخ دادن "
            "حدود ۱۵ دقیقه طول می~کشد. پاسخ~های شما بی~نام است و می~توانید هر زمان که خواستید پاسخ دادن را متوقف "
            "کنید.",
        )},
        {"type": "select_one yes_no", "name": "consent", "required": "yes",
         "label": T("Do you agree to take part in this survey?", "Acceptez-vous de participer à cette enquête ?",
                    "Чи погоджуєтеся ви взяти участь у цьому опитуванні?", "هل توافق على المشاركة في هذا الاستبيان؟",
                    "آیا با شرکت در این نظرسنجی موافقید؟"),
         "required_message": T("Please answer this question to continue.",
                               "Veuillez répondre à cette question pour continuer.",
                               "Будь ласка, дайте відповідь на це запитання, щоб продовжити.",
                               "يرجى الإجابة عن هذا السؤال للمتابعة.",
                               "لطفاً برای ادامه به این پرسش پاسخ دهید.")},
        {"type": "end group"},
        # -- about you ------------------------------------------------------------------------------
        {"type": "begin group", "name": "about_you", "relevant": CONSENTED,
         "label": T("About you", "À propos de vous", "Про вас", "معلومات عنك", "دربارهٔ شما")},
        {"type": "select_one country", "name": "country", "required": "yes", "weighting": "yes",
         "label": T("In which country do you live?", "Dans quel pays vivez-vous ?", "У якій країні ви живете?",
                    "في أي بلد تعيش؟", "در کدام کشور زندگی می~کنید؟")},
        {"type": "select_one region", "name": "region", "choice_filter": "country = ${country} or country = 'any'",
         "label": T("In which region or province do you live?", "Dans quelle région ou province vivez-vous ?",
                    "У якому регіоні (області) ви живете?", "في أي منطقة أو محافظة تعيش؟",
                    "در کدام ولایت یا منطقه زندگی می~کنید؟")},
        {"type": "select_one age_group", "name": "age_group", "required": "yes", "weighting": "yes",
         "label": T("How old are you?", "Quel âge avez-vous ?", "Скільки вам років?", "كم عمرك؟",
                    "چند سال دارید؟")},
        {"type": "select_one gender", "name": "gender", "required": "yes",
         "label": T("What is your gender?", "Quel est votre genre ?", "Яка ваша стать?", "ما جنسك؟",
                    "جنسیت شما چیست؟")},
        {"type": "select_one area", "name": "area", "required": "yes", "weighting": "yes",
         "label": T("What kind of place do you live in?", "Dans quel type de lieu vivez-vous ?",
                    "У якому типі населеного пункту ви живете?", "في أي نوع من الأماكن تعيش؟",
                    "در چه نوع مکانی زندگی می~کنید؟")},
        {"type": "select_one education", "name": "education",
         "label": T("What is the highest level of education you have completed?",
                    "Quel est le plus haut niveau d'études que vous avez terminé ?",
                    "Який найвищий рівень освіти ви здобули?", "ما أعلى مستوى تعليمي أكملته؟",
                    "بالاترین سطح تحصیلاتی که به پایان رسانده~اید چیست؟")},
        {"type": "integer", "name": "household_size", "constraint": ". >= 1 and . <= 30",
         "label": T("How many people, including you, live in your household?",
                    "Combien de personnes, vous compris, vivent dans votre foyer ?",
                    "Скільки людей, включно з вами, живе у вашому домогосподарстві?",
                    "كم عدد الأشخاص الذين يعيشون في أسرتك، بمن فيهم أنت؟",
                    "چند نفر، از جمله خودتان، در خانوادهٔ شما زندگی می~کنند؟"),
         "constraint_message": T("Please enter a number from 1 to 30.", "Veuillez saisir un nombre entre 1 et 30.",
                                 "Введіть число від 1 до 30.", "يرجى إدخال رقم من 1 إلى 30.",
                                 "لطفاً عددی از ۱ تا ۳۰ وارد کنید.")},
        {"type": "select_one yes_no_pns", "name": "displaced",
         "label": T("Have you ever had to leave your home because of conflict or violence?",
                    "Avez-vous déjà dû quitter votre domicile à cause d'un conflit ou de violences ?",
                    "Чи доводилося вам колись залишати свій дім через конфлікт або насильство?",
                    "هل اضطررت يوماً إلى مغادرة منزلك بسبب النزاع أو العنف؟",
                    "آیا تا به حال به دلیل جنگ یا خشونت مجبور به ترک خانهٔ خود شده~اید؟")},
        {"type": "date", "name": "displaced_since", "relevant": "${displaced} = 'yes'",
         "constraint": ". <= today()",
         "label": T("When did you last have to leave your home?",
                    "Quand avez-vous dû quitter votre domicile pour la dernière fois ?",
                    "Коли ви востаннє були змушені залишити свій дім?",
                    "متى اضطررت آخر مرة إلى مغادرة منزلك؟",
                    "آخرین بار چه زمانی مجبور به ترک خانهٔ خود شدید؟"),
         "hint": T("An approximate date is fine.", "Une date approximative suffit.",
                   "Можна вказати приблизну дату.", "يكفي تاريخ تقريبي.", "تاریخ تقریبی کافی است."),
         "constraint_message": T("The date cannot be in the future.", "La date ne peut pas être dans le futur.",
                                 "Дата не може бути в майбутньому.", "لا يمكن أن يكون التاريخ في المستقبل.",
                                 "تاریخ نمی~تواند در آینده باشد.")},
        {"type": "end group"},
        # -- feeling safe ---------------------------------------------------------------------------
        {"type": "begin group", "name": "safety", "relevant": CONSENTED,
         "label": T("Feeling safe", "Sentiment de sécurité", "Відчуття безпеки", "الشعور بالأمان", "احساس امنیت")},
        {"type": "note", "name": "safety_intro", "label": T(
            "How much do you agree with each statement? 1 means you strongly disagree and 5 means you strongly "
            "agree.",
            "Dans quelle mesure êtes-vous d'accord avec chacune des affirmations suivantes ? 1 signifie « pas du "
            "tout d'accord » et 5 « tout à fait d'accord ».",
            "Наскільки ви погоджуєтеся з кожним твердженням? 1 означає «зовсім не погоджуюся», а 5 — «повністю "
            "погоджуюся».",
            "إلى أي مدى توافق على كل عبارة؟ الرقم 1 يعني أنك لا توافق إطلاقاً، والرقم 5 يعني أنك توافق تماماً.",
            "تا چه اندازه با هر یک از جمله~های زیر موافقید؟ ۱ یعنی کاملاً مخالفم و ۵ یعنی کاملاً موافقم.",
        )},
        _likert("safe_night", T(
            "I feel safe walking alone in my neighbourhood at night.",
            "Je me sens en sécurité lorsque je marche seul·e dans mon quartier la nuit.",
            "Я почуваюся в безпеці, коли ходжу сам(а) своїм районом уночі.",
            "أشعر بالأمان عندما أمشي وحدي في حيّي ليلاً.",
            "وقتی شب~ها تنها در محلهٔ خود راه می~روم، احساس امنیت می~کنم.",
        )),
        _likert("safe_day", T(
            "I feel safe walking alone in my neighbourhood during the day.",
            "Je me sens en sécurité lorsque je marche seul·e dans mon quartier pendant la journée.",
            "Я почуваюся в безпеці, коли ходжу сам(а) своїм районом удень.",
            "أشعر بالأمان عندما أمشي وحدي في حيّي نهاراً.",
            "وقتی در طول روز تنها در محلهٔ خود راه می~روم، احساس امنیت می~کنم.",
        )),
        _likert("safe_home", T(
            "I feel safe in my own home.",
            "Je me sens en sécurité chez moi.",
            "Я почуваюся в безпеці у власному домі.",
            "أشعر بالأمان في منزلي.",
            "در خانهٔ خودم احساس امنیت می~کنم.",
        )),
        _likert("safe_transport", T(
            "I feel safe using public transport.",
            "Je me sens en sécurité dans les transports en commun.",
            "Я почуваюся в безпеці в громадському транспорті.",
            "أشعر بالأمان عند استخدام وسائل النقل العام.",
            "هنگام استفاده از وسایل نقلیهٔ عمومی احساس امنیت می~کنم.",
        )),
        _likert("safe_market", T(
            "I feel safe at the market and in shops.",
            "Je me sens en sécurité au marché et dans les magasins.",
            "Я почуваюся в безпеці на ринку та в магазинах.",
            "أشعر بالأمان في السوق والمتاجر.",
            "در بازار و مغازه~ها احساس امنیت می~کنم.",
        )),
        {"type": "select_one change", "name": "safety_change",
         "label": T("Compared with a year ago, is your neighbourhood safer for women, about as safe, or less safe?",
                    "Par rapport à il y a un an, votre quartier est-il plus sûr, aussi sûr ou moins sûr pour les "
                    "femmes ?",
                    "Порівняно з минулим роком, ваш район став для жінок безпечнішим, залишився таким самим чи став "
                    "менш безпечним?",
                    "مقارنةً بالعام الماضي، هل أصبح حيّك أكثر أماناً للنساء، أم بقي كما هو، أم أصبح أقل أماناً؟",
                    "در مقایسه با یک سال پیش، آیا محلهٔ شما برای زنان امن~تر شده، همان~قدر امن مانده یا ناامن~تر شده "
                    "است؟")},
        {"type": "end group"},
        # -- trust ----------------------------------------------------------------------------------
        {"type": "begin group", "name": "trust", "relevant": CONSENTED,
         "label": T("Trust in security institutions", "Confiance dans les institutions de sécurité",
                    "Довіра до інституцій безпеки", "الثقة في المؤسسات الأمنية", "اعتماد به نهادهای امنیتی")},
        {"type": "note", "name": "trust_intro", "label": T(
            "How much do you trust each of the following to protect the safety of women in your community? 1 means "
            "not at all and 5 means completely.",
            "Dans quelle mesure faites-vous confiance à chacun des acteurs suivants pour protéger la sécurité des "
            "femmes dans votre communauté ? 1 signifie « pas du tout » et 5 « entièrement ».",
            "Наскільки ви довіряєте кожному з наведених нижче у захисті безпеки жінок у вашій громаді? 1 означає "
            "«зовсім не довіряю», а 5 — «повністю довіряю».",
            "إلى أي مدى تثق بكل من الجهات التالية في حماية سلامة النساء في مجتمعك؟ الرقم 1 يعني لا أثق إطلاقاً، "
            "والرقم 5 يعني أثق تماماً.",
            "تا چه اندازه به هر یک از نهادهای زیر برای حفاظت از امنیت زنان در جامعهٔ خود اعتماد دارید؟ ۱ یعنی اصلاً "
            "اعتماد ندارم و ۵ یعنی کاملاً اعتماد دارم.",
        )},
        _likert("trust_police", T("The police", "La police", "Поліція", "الشرطة", "پلیس"), TRUST_HINT),
        _likert("trust_army", T("The army", "L'armée", "Армія", "الجيش", "ارتش"), TRUST_HINT),
        _likert("trust_courts", T("The courts", "Les tribunaux", "Суди", "المحاكم", "دادگاه~ها"), TRUST_HINT),
        {"type": "select_one yes_no_dk", "name": "peacekeepers_present",
         "label": T("Are international peacekeepers or observers present where you live?",
                    "Des casques bleus ou des observateurs internationaux sont-ils présents là où vous vivez ?",
                    "Чи присутні там, де ви живете, міжнародні миротворці або спостерігачі?",
                    "هل توجد قوات حفظ سلام أو مراقبون دوليون في المكان الذي تعيش فيه؟",
                    "آیا نیروهای حافظ صلح یا ناظران بین~المللی در محل زندگی شما حضور دارند؟")},
        _likert("trust_peacekeepers", T(
            "International peacekeepers or observers",
            "Les casques bleus ou observateurs internationaux",
            "Міжнародні миротворці або спостерігачі",
            "قوات حفظ السلام أو المراقبون الدوليون",
            "نیروهای حافظ صلح یا ناظران بین~المللی",
        ), TRUST_HINT, relevant="${peacekeepers_present} = 'yes'"),
        _likert("trust_leaders", T("Traditional or religious leaders", "Les chefs traditionnels ou religieux",
                                   "Традиційні або релігійні лідери", "الزعماء التقليديون أو الدينيون",
                                   "رهبران سنتی یا دینی"), TRUST_HINT),
        _likert("trust_women_orgs", T("Women's organisations", "Les organisations de femmes", "Жіночі організації",
                                      "المنظمات النسائية", "سازمان~های زنان"), TRUST_HINT),
        {"type": "end group"},
        # -- participation --------------------------------------------------------------------------
        {"type": "begin group", "name": "participation", "relevant": CONSENTED,
         "label": T("Taking part", "Participation", "Участь", "المشاركة", "مشارکت")},
        {"type": "select_one yes_no_pns", "name": "meeting_attended",
         "label": T("In the past 12 months, have you taken part in a community meeting about safety or security?",
                    "Au cours des 12 derniers mois, avez-vous participé à une réunion communautaire sur la sûreté "
                    "ou la sécurité ?",
                    "Чи брали ви участь за останні 12 місяців у зборах громади, присвячених питанням безпеки?",
                    "خلال الأشهر الاثني عشر الماضية، هل شاركت في اجتماع مجتمعي حول السلامة أو الأمن؟",
                    "آیا در ۱۲ ماه گذشته در نشستی محلی دربارهٔ امنیت شرکت کرده~اید؟")},
        {"type": "select_one yes_no_pns", "name": "meeting_spoke", "relevant": "${meeting_attended} = 'yes'",
         "label": T("Did you speak or give your opinion at the meeting?",
                    "Avez-vous pris la parole ou donné votre avis lors de cette réunion ?",
                    "Чи виступали ви або висловлювали свою думку на цих зборах?",
                    "هل تحدثت أو أبديت رأيك في الاجتماع؟",
                    "آیا در آن نشست صحبت کردید یا نظر خود را بیان کردید؟")},
        {"type": "select_one yes_no_maybe", "name": "meeting_wish",
         "label": T("Would you like to take part in such meetings in the future?",
                    "Aimeriez-vous participer à de telles réunions à l'avenir ?",
                    "Чи хотіли б ви брати участь у таких зборах у майбутньому?",
                    "هل ترغب في المشاركة في مثل هذه الاجتماعات مستقبلاً؟",
                    "آیا مایلید در آینده در چنین نشست~هایی شرکت کنید؟")},
        {"type": "select_multiple barriers", "name": "barriers",
         "constraint": "not((selected(., 'none') or selected(., 'prefer_not')) and count-selected(.) > 1)",
         "label": T("What makes it hard for you to take part in such meetings? Choose all that apply.",
                    "Qu'est-ce qui vous empêche de participer à ces réunions ? Cochez toutes les réponses qui "
                    "s'appliquent.",
                    "Що заважає вам брати участь у таких зборах? Оберіть усі відповідні варіанти.",
                    "ما الذي يصعّب عليك المشاركة في مثل هذه الاجتماعات؟ اختر كل ما ينطبق.",
                    "چه چیزی شرکت در چنین نشست~هایی را برای شما دشوار می~کند؟ همهٔ گزینه~های مرتبط را انتخاب "
                    "کنید."),
         "constraint_message": T(
             "“None of these” and “I prefer not to say” cannot be combined with other answers.",
             "« Aucun de ces obstacles » et « Je préfère ne pas répondre » ne peuvent pas être combinés avec "
             "d'autres réponses.",
             "Варіанти «Жодна з цих перешкод» і «Не хочу відповідати» не можна поєднувати з іншими відповідями.",
             "لا يمكن الجمع بين «لا شيء مما سبق» أو «أفضّل عدم الإجابة» وأي إجابة أخرى.",
             "گزینه~های «هیچ~کدام» و «ترجیح می~دهم پاسخ ندهم» را نمی~توان همراه با پاسخ~های دیگر انتخاب کرد.",
         )},
        _likert("women_influence", T(
            "Women's views are taken into account in decisions about security in my community.",
            "L'avis des femmes est pris en compte dans les décisions relatives à la sécurité dans ma communauté.",
            "Думку жінок враховують під час ухвалення рішень щодо безпеки в моїй громаді.",
            "تؤخذ آراء النساء في الاعتبار عند اتخاذ القرارات المتعلقة بالأمن في مجتمعي.",
            "نظرات زنان در تصمیم~گیری~های مربوط به امنیت در جامعهٔ من در نظر گرفته می~شود.",
        )),
        {"type": "end group"},
        # -- gender-based violence (sensitive: opt-in, and "I prefer not to say" everywhere) ------------
        {"type": "begin group", "name": "gbv", "relevant": CONSENTED,
         "label": T("Violence against women", "Violences faites aux femmes", "Насильство щодо жінок",
                    "العنف ضد المرأة", "خشونت علیه زنان")},
        {"type": "note", "name": "gbv_intro", "label": T(
            "The next questions are about violence against women and girls. They can be difficult. You can answer "
            "“I prefer not to say” to any of them, or skip this part.",
            "Les questions suivantes portent sur les violences faites aux femmes et aux filles. Elles peuvent être "
            "difficiles. Vous pouvez répondre « Je préfère ne pas répondre » à chacune d'elles, ou passer cette "
            "partie.",
            "Наступні запитання стосуються насильства щодо жінок і дівчат. Вони можуть бути складними. На будь-яке "
            "з них ви можете відповісти «Не хочу відповідати» або пропустити цю частину.",
            "تتناول الأسئلة التالية العنف ضد النساء والفتيات، وقد تكون صعبة. يمكنك اختيار «أفضّل عدم الإجابة» "
            "لأي منها، أو تخطي هذا الجزء.",
            "پرسش~های بعدی دربارهٔ خشونت علیه زنان و دختران است و ممکن است دشوار باشند. می~توانید برای هر کدام "
            "«ترجیح می~دهم پاسخ ندهم» را انتخاب کنید یا از این بخش بگذرید.",
        )},
        {"type": "select_one yes_no", "name": "gbv_continue", "required": "yes",
         "label": T("Would you like to answer these questions?", "Souhaitez-vous répondre à ces questions ?",
                    "Чи бажаєте ви відповісти на ці запитання?", "هل ترغب في الإجابة عن هذه الأسئلة؟",
                    "آیا مایلید به این پرسش~ها پاسخ دهید؟")},
        {"type": "select_one worry", "name": "gbv_concern", "relevant": GBV_OPTED_IN,
         "label": T("How worried are you about violence against women in your community?",
                    "À quel point êtes-vous préoccupé·e par les violences faites aux femmes dans votre communauté ?",
                    "Наскільки вас турбує насильство щодо жінок у вашій громаді?",
                    "ما مدى قلقك من العنف ضد النساء في مجتمعك؟",
                    "چقدر نگران خشونت علیه زنان در جامعهٔ خود هستید؟")},
        {"type": "select_one yes_no_pns", "name": "gbv_known", "relevant": GBV_OPTED_IN,
         "label": T("In the past 12 months, have you heard of a woman or girl in your community being attacked or "
                    "abused because she is a woman?",
                    "Au cours des 12 derniers mois, avez-vous entendu parler d'une femme ou d'une fille de votre "
                    "communauté agressée ou maltraitée parce qu'elle est une femme ?",
                    "Чи чули ви за останні 12 місяців про жінку чи дівчину з вашої громади, яка зазнала нападу чи "
                    "насильства через те, що вона жінка?",
                    "خلال الأشهر الاثني عشر الماضية، هل سمعت عن امرأة أو فتاة في مجتمعك تعرّضت لاعتداء أو إساءة "
                    "لكونها امرأة؟",
                    "آیا در ۱۲ ماه گذشته شنیده~اید که زن یا دختری در جامعهٔ شما به دلیل زن بودن مورد حمله یا آزار "
                    "قرار گرفته باشد؟")},
        {"type": "select_one yes_no_dk_pns", "name": "gbv_reported",
         "relevant": GBV_OPTED_IN + " and ${gbv_known} = 'yes'",
         "label": T("Was it reported to the police or another authority?",
                    "Les faits ont-ils été signalés à la police ou à une autre autorité ?",
                    "Чи повідомляли про це поліцію або інший орган влади?",
                    "هل أُبلغت الشرطة أو جهة رسمية أخرى بذلك؟",
                    "آیا این موضوع به پلیس یا مرجع دیگری گزارش شد؟")},
        {"type": "select_multiple services", "name": "gbv_services", "relevant": GBV_OPTED_IN,
         "constraint": "not((selected(., 'none') or selected(., 'dont_know') or selected(., 'prefer_not'))"
                       " and count-selected(.) > 1)",
         "label": T("Which of these services for survivors of violence exist where you live? Choose all that apply.",
                    "Lesquels de ces services pour les survivantes de violences existent là où vous vivez ? Cochez "
                    "toutes les réponses qui s'appliquent.",
                    "Які з цих послуг для постраждалих від насильства є там, де ви живете? Оберіть усі відповідні "
                    "варіанти.",
                    "أي من هذه الخدمات المقدَّمة للناجيات من العنف متوفرة في المكان الذي تعيش فيه؟ اختر كل ما "
                    "ينطبق.",
                    "کدام یک از این خدمات برای بازماندگان خشونت در محل زندگی شما وجود دارد؟ همهٔ گزینه~های مرتبط را "
                    "انتخاب کنید."),
         "constraint_message": T(
             "“None of these”, “I don't know” and “I prefer not to say” cannot be combined with other answers.",
             "« Aucun de ces services », « Je ne sais pas » et « Je préfère ne pas répondre » ne peuvent pas être "
             "combinés avec d'autres réponses.",
             "Варіанти «Жодної з цих послуг», «Не знаю» і «Не хочу відповідати» не можна поєднувати з іншими "
             "відповідями.",
             "لا يمكن الجمع بين «لا شيء مما سبق» أو «لا أعرف» أو «أفضّل عدم الإجابة» وأي إجابة أخرى.",
             "گزینه~های «هیچ~کدام»، «نمی~دانم» و «ترجیح می~دهم پاسخ ندهم» را نمی~توان همراه با پاسخ~های دیگر "
             "انتخاب کرد.",
         )},
        {"type": "end group"},
        # -- closing --------------------------------------------------------------------------------
        {"type": "begin group", "name": "closing",
         "label": T("Final comments", "Derniers commentaires", "Заключні коментарі", "تعليقات ختامية",
                    "نظرات پایانی")},
        {"type": "text", "name": "comment", "relevant": CONSENTED, "appearance": "multiline",
         "label": T("Is there anything else you would like to tell the panel about women's safety and participation "
                    "in your community?",
                    "Souhaitez-vous ajouter quelque chose à l'attention du panel sur la sécurité et la participation "
                    "des femmes dans votre communauté ?",
                    "Чи хочете ви ще щось повідомити групі про безпеку та участь жінок у вашій громаді?",
                    "هل هناك أي شيء آخر تودّ إخبار الفريق به بشأن سلامة النساء ومشاركتهن في مجتمعك؟",
                    "آیا مطلب دیگری دربارهٔ امنیت و مشارکت زنان در جامعهٔ خود دارید که بخواهید با هیئت در میان "
                    "بگذارید؟"),
         "hint": T("Please do not write names or other details that could identify anyone.",
                   "Merci de ne pas indiquer de noms ni d'autres détails permettant d'identifier quelqu'un.",
                   "Будь ласка, не зазначайте імен чи інших даних, за якими можна впізнати людину.",
                   "يرجى عدم كتابة أسماء أو أي تفاصيل أخرى قد تكشف هوية أي شخص.",
                   "لطفاً نام یا جزئیات دیگری که ممکن است هویت کسی را آشکار کند ننویسید.")},
        {"type": "note", "name": "thanks", "label": T(
            "Thank you. Your answers will help the panel bring women's voices into decisions on peace and security.",
            "Merci. Vos réponses aideront le panel à faire entendre la voix des femmes dans les décisions sur la "
            "paix et la sécurité.",
            "Дякуємо! Ваші відповіді допоможуть групі донести голос жінок до рішень щодо миру та безпеки.",
            "شكراً لك. ستساعد إجاباتك الفريق على إيصال أصوات النساء إلى القرارات المتعلقة بالسلام والأمن.",
            "سپاسگزاریم. پاسخ~های شما به هیئت کمک می~کند صدای زنان را به تصمیم~گیری~های مربوط به صلح و امنیت "
            "برساند.",
        )},
        {"type": "end group"},
    ]


def _likert(name: str, label: dict[str, str], hint: dict[str, str] = AGREE_HINT, **columns: str) -> dict[str, Any]:
    """A 1–5 agreement (or trust) item; optional, since a respondent may have no view."""
    return {"type": "range", "name": name, "parameters": LIKERT, "label": label, "hint": hint, **columns}


# -------------------------------------------------------------------------------------------- choices


def _choices() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(list_name: str, *options: tuple[str, dict[str, str]], **extra: str) -> None:
        for name, label in options:
            rows.append({"list_name": list_name, "name": name, "label": label, **extra})

    add("yes_no", ("yes", YES), ("no", NO))
    add("yes_no_pns", ("yes", YES), ("no", NO), ("prefer_not", PREFER_NOT))
    add("yes_no_dk", ("yes", YES), ("no", NO), ("dont_know", DONT_KNOW))
    add("yes_no_dk_pns", ("yes", YES), ("no", NO), ("dont_know", DONT_KNOW), ("prefer_not", PREFER_NOT))
    add("yes_no_maybe", ("yes", YES), ("maybe", MAYBE), ("no", NO))
    add("country",
        ("ua", T("Ukraine", "Ukraine", "Україна", "أوكرانيا", "اوکراین")),
        ("iq", T("Iraq", "Irak", "Ірак", "العراق", "عراق")),
        ("af", T("Afghanistan", "Afghanistan", "Афганістан", "أفغانستان", "افغانستان")),
        ("co", T("Colombia", "Colombie", "Колумбія", "كولومبيا", "کلمبیا")),
        ("ml", T("Mali", "Mali", "Малі", "مالي", "مالی")))
    add("region",
        ("kyiv", T("Kyiv", "Kyiv", "Київ", "كييف", "کی~یف")),
        ("kharkiv", T("Kharkiv", "Kharkiv", "Харків", "خاركيف", "خارکیف")),
        ("lviv", T("Lviv", "Lviv", "Львів", "لفيف", "لویو")),
        ("odesa", T("Odesa", "Odessa", "Одеса", "أوديسا", "اودسا")),
        country="ua")
    add("region",
        ("baghdad", T("Baghdad", "Bagdad", "Багдад", "بغداد", "بغداد")),
        ("nineveh", T("Nineveh", "Ninive", "Ніневія", "نينوى", "نینوا")),
        ("basra", T("Basra", "Bassora", "Басра", "البصرة", "بصره")),
        ("erbil", T("Erbil", "Erbil", "Ербіль", "أربيل", "اربیل")),
        country="iq")
    add("region",
        ("kabul", T("Kabul", "Kaboul", "Кабул", "كابل", "کابل")),
        ("herat", T("Herat", "Hérat", "Герат", "هرات", "هرات")),
        ("balkh", T("Balkh", "Balkh", "Балх", "بلخ", "بلخ")),
        ("kandahar", T("Kandahar", "Kandahar", "Кандагар", "قندهار", "قندهار")),
        country="af")
    add("region",
        ("bogota", T("Bogotá", "Bogota", "Богота", "بوغوتا", "بوگوتا")),
        ("antioquia", T("Antioquia", "Antioquia", "Антіокія", "أنتيوكيا", "آنتیوکیا")),
        ("cauca", T("Cauca", "Cauca", "Каука", "كاوكا", "کائوکا")),
        ("narino", T("Nariño", "Nariño", "Наріньйо", "نارينيو", "نارینیو")),
        country="co")
    add("region",
        ("bamako", T("Bamako", "Bamako", "Бамако", "باماكو", "باماکو")),
        ("mopti", T("Mopti", "Mopti", "Мопті", "موبتي", "موپتی")),
        ("gao", T("Gao", "Gao", "Гао", "غاو", "گائو")),
        ("timbuktu", T("Timbuktu", "Tombouctou", "Тімбукту", "تمبكتو", "تیمبوکتو")),
        country="ml")
    # Offered whatever the country: the filter reads "country = ${country} or country = 'any'".
    add("region", ("other_region", T("Another region", "Une autre région", "Інший регіон", "منطقة أخرى",
                                     "منطقهٔ دیگر")), country="any")
    add("age_group",
        ("18_24", T("18–24", "18–24 ans", "18–24 роки", "18–24 سنة", "۱۸ تا ۲۴ سال")),
        ("25_34", T("25–34", "25–34 ans", "25–34 роки", "25–34 سنة", "۲۵ تا ۳۴ سال")),
        ("35_44", T("35–44", "35–44 ans", "35–44 роки", "35–44 سنة", "۳۵ تا ۴۴ سال")),
        ("45_54", T("45–54", "45–54 ans", "45–54 роки", "45–54 سنة", "۴۵ تا ۵۴ سال")),
        ("55_64", T("55–64", "55–64 ans", "55–64 роки", "55–64 سنة", "۵۵ تا ۶۴ سال")),
        ("65_plus", T("65 or older", "65 ans ou plus", "65 років і старше", "65 سنة أو أكثر", "۶۵ سال یا بیشتر")),
        ("prefer_not", PREFER_NOT))
    add("gender",
        ("woman", T("Woman", "Femme", "Жінка", "امرأة", "زن")),
        ("man", T("Man", "Homme", "Чоловік", "رجل", "مرد")),
        ("another", T("I describe myself in another way", "Je me décris autrement", "Я описую себе інакше",
                      "أصف نفسي بطريقة أخرى", "خود را به شکل دیگری توصیف می~کنم")),
        ("prefer_not", PREFER_NOT))
    add("area",
        ("city", T("A city", "Une ville", "Місто", "مدينة", "شهر")),
        ("town", T("A small town", "Une petite ville", "Селище або невелике місто", "بلدة صغيرة", "شهرک")),
        ("village", T("A village or rural area", "Un village ou une zone rurale", "Село або сільська місцевість",
                      "قرية أو منطقة ريفية", "روستا یا منطقهٔ روستایی")),
        ("camp", T("A camp or settlement for displaced people", "Un camp ou un site de personnes déplacées",
                   "Табір або поселення для переміщених осіб", "مخيم أو تجمّع للنازحين",
                   "اردوگاه یا محل اسکان بی~جاشدگان")),
        ("prefer_not", PREFER_NOT))
    add("education",
        ("none", T("No formal education", "Aucune scolarité", "Без формальної освіти", "لم أتلقَّ تعليماً نظامياً",
                   "بدون تحصیلات رسمی")),
        ("primary", T("Primary school", "École primaire", "Початкова школа", "المرحلة الابتدائية",
                      "دورهٔ ابتدایی")),
        ("secondary", T("Secondary school", "École secondaire", "Середня школа", "المرحلة الثانوية",
                        "دورهٔ متوسطه")),
        ("higher", T("University or college", "Université ou enseignement supérieur", "Університет або коледж",
                     "الجامعة أو المعهد", "دانشگاه یا مؤسسهٔ آموزش عالی")),
        ("prefer_not", PREFER_NOT))
    add("change",
        ("safer", T("Safer", "Plus sûr", "Безпечнішим", "أكثر أماناً", "امن~تر")),
        ("same", T("About as safe", "Aussi sûr", "Таким самим", "كما هو", "همان~قدر امن")),
        ("less_safe", T("Less safe", "Moins sûr", "Менш безпечним", "أقل أماناً", "ناامن~تر")),
        ("dont_know", DONT_KNOW),
        ("prefer_not", PREFER_NOT))
    add("barriers",
        ("no_time", T("I do not have time", "Je n'ai pas le temps", "Не маю часу", "ليس لدي وقت", "وقت ندارم")),
        ("care", T("Caring for children or relatives", "La garde des enfants ou de proches",
                   "Догляд за дітьми чи родичами", "رعاية الأطفال أو الأقارب", "مراقبت از کودکان یا بستگان")),
        ("not_invited", T("Women are not invited", "Les femmes ne sont pas invitées", "Жінок не запрошують",
                          "لا تُدعى النساء", "زنان دعوت نمی~شوند")),
        ("family", T("My family does not approve", "Ma famille n'approuve pas", "Моя родина не схвалює",
                     "عائلتي لا توافق", "خانواده~ام موافق نیست")),
        ("travel", T("It is not safe to travel there", "Il n'est pas sûr de s'y rendre", "Дорога туди небезпечна",
                     "الذهاب إلى هناك غير آمن", "رفتن به آنجا امن نیست")),
        ("not_heard", T("Women's views are not taken seriously", "L'avis des femmes n'est pas pris au sérieux",
                        "До думки жінок не ставляться серйозно", "لا تؤخذ آراء النساء على محمل الجد",
                        "نظرات زنان جدی گرفته نمی~شود")),
        ("language", T("Meetings are not held in my language", "Les réunions ne se tiennent pas dans ma langue",
                       "Збори проводять не моєю мовою", "لا تُعقد الاجتماعات بلغتي",
                       "نشست~ها به زبان من برگزار نمی~شود")),
        ("none", T("None of these", "Aucun de ces obstacles", "Жодна з цих перешкод", "لا شيء مما سبق",
                   "هیچ~کدام")),
        ("prefer_not", PREFER_NOT))
    add("worry",
        ("not_at_all", T("Not at all worried", "Pas du tout préoccupé·e", "Зовсім не турбує", "لا أشعر بأي قلق",
                         "اصلاً نگران نیستم")),
        ("a_little", T("A little worried", "Un peu préoccupé·e", "Трохи турбує", "أشعر بقليل من القلق",
                       "کمی نگرانم")),
        ("very", T("Very worried", "Très préoccupé·e", "Дуже турбує", "أشعر بقلق شديد", "بسیار نگرانم")),
        ("prefer_not", PREFER_NOT))
    add("services",
        ("health", T("Health care", "Soins de santé", "Медична допомога", "الرعاية الصحية", "خدمات درمانی")),
        ("psychosocial", T("Psychological support", "Soutien psychologique", "Психологічна підтримка",
                           "الدعم النفسي", "حمایت روانی")),
        ("legal", T("Legal aid", "Aide juridique", "Правова допомога", "المساعدة القانونية", "کمک حقوقی")),
        ("shelter", T("A safe shelter", "Un hébergement sûr", "Безпечний притулок", "مأوى آمن", "خانهٔ امن")),
        ("hotline", T("A telephone helpline", "Une ligne d'écoute téléphonique", "Телефонна гаряча лінія",
                      "خط هاتفي للمساعدة", "خط تلفنی کمک")),
        ("none", T("None of these", "Aucun de ces services", "Жодної з цих послуг", "لا شيء مما سبق", "هیچ~کدام")),
        ("dont_know", DONT_KNOW),
        ("prefer_not", PREFER_NOT))
    return rows


# ------------------------------------------------------------------------------------------- workbook

_SURVEY_PLAIN = ("type", "name", "required", "relevant", "constraint", "choice_filter", "appearance", "parameters",
                 "weighting")
_SURVEY_TEXTS = ("label", "hint", "required_message", "constraint_message")

TITLE = T(
    "Women's safety and participation: perception survey 2026",
    "Sécurité et participation des femmes : enquête de perception 2026",
    "Безпека та участь жінок: опитування 2026 року",
    "سلامة النساء ومشاركتهن: استطلاع آراء 2026",
    "امنیت و مشارکت زنان: نظرسنجی دیدگاه~ها ۲۰۲۶",
)


def _header(column: str, code: str) -> str:
    return f"{column}::{LANGUAGES[code]} ({code})"


def _write(sheet: Any, plain: tuple[str, ...], texts: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    headers = list(plain) + [_header(column, code) for column in texts for code in LANGUAGES]
    sheet.append(headers)
    for row in rows:
        line = [row.get(column, "") for column in plain]
        line += [row.get(column, {}).get(code, "") for column in texts for code in LANGUAGES]
        sheet.append([value if value != "" else None for value in line])


def build_demo_xlsform() -> bytes:
    """The demo perception survey as an XLSForm ``.xlsx`` workbook (bytes), ready for the importer."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    _write(survey, _SURVEY_PLAIN, _SURVEY_TEXTS, _survey())
    choices = book.create_sheet("choices")
    _write(choices, ("list_name", "name", "country"), ("label",), _choices())
    settings = book.create_sheet("settings")
    _write(settings, ("form_id", "version", "default_language", "style"), ("form_title",), [{
        "form_id": "wps_perceptions",
        "version": "2026-11",
        "default_language": "English (en)",
        "style": "pages",
        "form_title": TITLE,
    }])
    for sheet in (survey, choices, settings):
        sheet.freeze_panes = "A2"  # what an author would do; harmless to the importer
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
