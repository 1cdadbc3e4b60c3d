"""One test per rule group of factcheck.clean.rules: what it must catch and what it must leave
alone (real body sentences from health articles)."""

from __future__ import annotations

import pytest

from factcheck.clean import rules
from factcheck.clean.dates import parse_date
from factcheck.clean.engine import Block, apply_rules

# (rule, texts it must match, texts it must not match)
CASES = [
    (rules.NAVIGATION,
     ["Back to Blog", "← Back to all articles", "Next post", "SageBrains arrow right button",
      "Home › Health › Heart health", "Zurück zum Blog", "Skip to content"],
     ["Back pain is common in adults over 40.", "Read the label before taking any supplement."]),
    (rules.MENU_ITEM,
     ["Home", "About Us", "Contact", "Our Team", "Patient Portal", "Startseite"],
     ["Home remedies for colds rarely shorten them.", "Contact dermatitis is an itchy rash."]),
    (rules.SHARE,
     ["Share with friends!", "Share this:", "Facebook Twitter Email", "Partager", "Share this article"],
     ["Sharing needles spreads hepatitis C.", "The share of adults with obesity rose to 42%."]),
    (rules.CTA_LINE,
     ["Get Started", "Start the journey today.", "Take the First Step Towards Pain-Free Living Today",
      "Book an Appointment", "Book Now", "Call: (555) 010-4000", "Termin vereinbaren"],
     ["Getting started with exercise after a heart attack should be gradual.",
      "Take the first dose with food."]),
    (rules.DATE_LINE,
     ["May 3, 2021", "Published 12 March 2024", "2023-11-02", "Updated on Jan 5, 2024 · 4 min read",
      "18. März 2024"],
     ["In May 2021, the FDA approved a new migraine drug.", "Take 3 tablets on day 2."]),
    (rules.BYLINE,
     ["By Jane Roe", "Written by Dr. Maria Alvarez", "Medically reviewed by Ana Gómez, MD",
      "5 min read", "Author: Karen Liu", "By Karen Liu, RN | November 2, 2023 | 5 min read",
      "By Jane Roe and Sam Ortiz", "von Jonas Weber", "Par Claire Martin"],
     ["By 2030, more than a billion people will live with obesity.",
      "Reviewed studies found no benefit.", "By contrast, placebo did nothing.",
      "By Tuesday, most patients recovered.", "Reviewed by the FDA in 2019, the drug was approved.",
      "par exemple"]),
    (rules.COMMENTS,
     ["Leave a Reply", "2 Comments", "Comments (14)", "Post a Comment"],
     ["Comments from patients suggest the side effects are mild."]),
    (rules.RELATED_HEADING,
     ["Related posts:", "You may also like", "Read more: Why millions more adults could be offered statins",
      "Das könnte Sie auch interessieren", "Don't miss"],
     ["Related conditions include fibromyalgia and chronic fatigue syndrome, which share symptoms."]),
    (rules.RELATED_TEASER,
     ["Discover if ketamine shows up in drug tests and what that means for mental health…",
      "Zinc has been studied for decades as a cold remedy. Here is what we know..."],
     ["Ketamine is an NMDA receptor antagonist."]),
    (rules.DEBRIS,
     ["2019-11-19T08:57:40+01:00", "—", "Advertisement",
      "[button link=\"/submit\"]Send us YOUR review[/button]"],
     ["Advertising of e-cigarettes to teenagers is banned in the UK.",
      "https://www.cochranelibrary.com/cdsr/doi/10.1002/14651858.CD004827"]),
    (rules.CATEGORY_FOOTER,
     ["This article is in the category Treatment and created by SubstanceAbuseAction Team",
      "Posted in Pain Management", "Tags: CRPS, ketamine", "Kategorie: Allergien"],
     ["Posted data from the trial showed a small benefit in the treated group."]),
    (rules.NEWSLETTER,
     ["Join the thousands who are receiving their psychedelic news, clinical trials and research.",
      "Subscribe to our newsletter for weekly tips.", "Get seasonal health tips delivered to your inbox.",
      "Newsletter abonnieren", "Thank you! Please check your inbox to confirm."],
     ["Joining a support group can reduce feelings of isolation in people with chronic pain."]),
    (rules.COOKIE_BANNER,
     ["We use cookies on our website to give you the most relevant experience.",
      "This website uses cookies.", "Wir verwenden Cookies, um Ihnen die Nutzung zu ermöglichen."],
     ["Cookies and other sugary snacks raise blood sugar quickly."]),
    (rules.DISCLAIMER,
     ["Disclaimer: This article is for informational purposes only.",
      "This content is not intended to be a substitute for professional medical advice.",
      "Dieser Beitrag ersetzt keine ärztliche Beratung.",
      "We earn a commission for products purchased through some links in this article.",
      "DISCLOSURE: If you buy through affiliate links, I may earn a small commission."],
     ["Medical advice on statins changed in 2014.",
      "Pharmacists earn a commission in some countries, which researchers say shapes advice."]),
    (rules.AUTHOR_BOX,
     ["About the Author Dr. Maria Alvarez is a board-certified anaesthesiologist."],
     ["About 15% of adults have migraine."]),
    (rules.CLINIC_PROMO,
     ["At Pain Management & Injury Relief, we offer professional consultations to assess your pain.",
      "Our experienced team will guide you through the process and schedule your consultation."],
     ["At high doses, ketamine causes dissociation.", "At Harvard, researchers followed 5,000 nurses."]),
    (rules.CTA_SENTENCE,
     ["Contact us today to schedule a consultation and take the first step toward lasting pain relief.",
      "Reach out and schedule your free consultation to find out more!",
      "Call us today at (555) 201-3344 to schedule your free consultation.",
      "Book an appointment with our nurse practitioners online.",
      "Vereinbaren Sie einen Termin in unserer Sprechstunde.", "Prenez rendez-vous avec un neurologue.",
      "Pide tu cita en nuestra clínica.", "Ready to check your levels?"],
     ["Talk to your doctor before starting a supplement.",
      "To find out if ketamine therapy is for you, ask your local physician for any recommendations.",
      "Patients should call 911 if chest pain lasts more than five minutes."]),
    (rules.SOCIAL_FOLLOW,
     ["Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "Follow me on Medium for more.",
      "Like us on Facebook"],
     ["Follow the instructions on the label."]),
    (rules.AUTHOR_CONTACT,
     ["Amy Kuperinsky may be reached at akuperinsky@example.com.", "Have a tip?"],
     ["The tip of the needle is inserted under the skin."]),
    (rules.ENGAGEMENT,
     ["Thanks for reading!", "Leave me a comment below and let me know what you think."],
     ["Reading food labels helps people with coeliac disease avoid gluten."]),
    (rules.SELF_PROMO_OPENERS,
     ["Dr. Stephanie Lyn Coleman works with ketamine, predominantly to treat mental health."],
     ["Doctors often prescribe ketamine off label."]),
]


@pytest.mark.parametrize(("rule", "hits", "misses"), CASES, ids=[c[0].name for c in CASES])
def test_rule_group(rule, hits, misses):
    for text in hits:
        assert rule.matches(text), f"{rule.name} should match {text!r}"
    for text in misses:
        assert not rule.matches(text), f"{rule.name} should not match {text!r}"


def test_every_group_has_a_case_and_a_known_kind():
    tested = {case[0].name for case in CASES}
    assert {rule.name for rule in rules.ALL_RULES} <= tested
    assert all(rule.kind in rules.KINDS for rule in rules.ALL_RULES)


def test_every_class_token_kind_is_documented():
    assert set(rules.BOILERPLATE_CLASS_TOKENS) <= set(rules.KINDS)
    assert set(rules.BOILERPLATE_TAGS.values()) <= set(rules.KINDS)


def test_empty_group_is_refused():
    with pytest.raises(ValueError):
        rules._group("empty", "cta", "line", "nothing", ())


def test_hints_never_hide_a_match():
    for rule, hits, _ in CASES:
        for text in hits:
            assert rule.may_match(text.lower()), f"{rule.name}: hints miss {text!r}"


def test_lone_ellipsis_sentence_in_the_body_is_kept():
    blocks = [Block("Ketamine works on NMDA receptors."), Block("The results were surprising..."),
              Block("More trials are needed before it becomes routine care.")]
    outcome = apply_rules(blocks)
    assert [b.text for b in outcome.blocks] == [b.text for b in blocks]


def test_menu_lines_go_only_at_the_start_or_in_a_run():
    blocks = [Block("Home"), Block("About Us"), Block("CBD for Anxiety"),
              Block("Cannabidiol is one of more than 100 compounds found in the cannabis plant."),
              Block("Services"),
              Block("It can interact with blood thinners, so check with a pharmacist first.")]
    outcome = apply_rules(blocks)
    assert [b.text for b in outcome.blocks] == [b.text for b in blocks[2:]]


def test_titles_after_a_related_heading_go_with_it():
    blocks = [Block("Ketamine works on NMDA receptors in the spinal cord."), Block("You may also like"),
              Block("Is Ketamine Addictive?"), Block("Spravato vs IV Ketamine")]
    outcome = apply_rules(blocks)
    assert [b.text for b in outcome.blocks] == ["Ketamine works on NMDA receptors in the spinal cord."]
    assert {b.kind for b in outcome.removed} == {"related_posts"}


def test_keep_cta_mode_keeps_calls_to_action_only():
    blocks = [Block("Ketamine can ease CRPS pain. Call us today at (555) 201-3344 to book."),
              Block("Share with friends!")]
    outcome = apply_rules(blocks, remove_cta=False)
    assert [b.text for b in outcome.blocks] == [blocks[0].text]


@pytest.mark.parametrize(("text", "iso"), [
    ("May 3, 2021", "2021-05-03"), ("Published 12 March 2024", "2024-03-12"), ("2023-11-02", "2023-11-02"),
    ("18. März 2024", "2024-03-18"), ("5 octobre 2023", "2023-10-05"), ("27 de mayo de 2024", "2024-05-27"),
    ("03/14/2022", "2022-03-14"), ("14.03.2022", "2022-03-14"), ("no date here", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_byline_and_date_lines_fill_author_and_date():
    outcome = apply_rules([Block("By Jane Roe | March 12, 2024"),
                           Block("Statins rarely cause muscle pain, a pooled analysis of trials found.")])
    assert outcome.author == "Jane Roe"
    assert outcome.published == "2024-03-12"
