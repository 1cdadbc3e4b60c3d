"""Each named rule group fires on a sentence of the kind it is meant to catch.

Adding a group to ``rules.ALL_GROUPS`` without an example here fails
``test_every_group_has_an_example``: one place to add a pattern, one place to show it works.
"""

from __future__ import annotations

import pytest

from factcheck.claims import rules

# group -> (sentences it must match, sentences it must not match)
EXAMPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reader advice": (
        ("If you are living with chronic pain, consider discussing ketamine therapy.",
         "To find out if ketamine therapy is for you, ask your local physician.",
         "Do not take ibuprofen if you have ever had a stomach ulcer.",
         "Adults and children over 12 years: take 1 or 2 tablets with water.",
         "Your child should avoid hard or crunchy food for four hours after treatment.",
         "You can help provide more information on the safety of this medicine."),
        ("Ketamine blocks NMDA receptors.",),
    ),
    "article plan": (
        ("In this blog, we will explain how ketamine therapy works.",
         "Read on to find out more about this breakthrough discovery.",
         "Below are some of the most common conditions that can benefit."),
        ("Ketamine therapy can help by addressing abnormal pain signals.",),
    ),
    "promotion or navigation": (
        ("Contact us today to schedule a consultation.",
         "Reach out and schedule your free consultation to find out more!",
         "This product is not intended to diagnose, treat, cure, or prevent any disease.",
         "Dr. Stephanie Lyn Coleman works with ketamine, predominantly to treat mental health."),
        ("Dr. Smith said the drug reduced pain.",),
    ),
    "vague outlook": (
        ("These advancements signify a promising future for chronic pain patients.",
         "There are many benefits and risks to ketamine therapy."),
        ("Ketamine relieves pain within hours.",),
    ),
    "recommendation": (
        ("Ketamine therapy should only be administered under medical supervision.",
         "Understanding the treatment process can help patients make informed decisions."),
        ("Ketamine is generally considered safe.",),
    ),
    "scientific relation": (
        ("Activation of PPM1D enhances p53 function.",
         "Peroxynitrite is required for induction of T cell tolerance.",
         "Cnn1 recruitment varies with cell cycle timing.",
         "Bcp1 is a chaperone for Rpl23."),
        ("Contact the clinic.",),
    ),
    "statistical relation": (
        ("Women with a lower birth weight are more likely to develop breast cancer.",
         "There is a positive correlation between hip fractures and statin use.",
         "Cognitive behavioral therapy is ineffective at treating insomnia."),
        ("Ketamine clinics are booming.",),
    ),
    "biomedical anchor": (
        ("Activation of PPM1D enhances p53 function.",
         "IL-6 levels rose in mice lacking the receptor.",
         "A deficiency of folate increases blood levels of homocysteine.",
         "Ethanol stress increases the expression of IBP in bacteria."),
        ("Each gummy contains 500 mg of apple cider vinegar plus vitamin B12.",
         "Sickle cell disease is an inherited blood condition.",
         "Ketamine clinics are booming.",
         "[Auto-generated transcript. May contain errors.]"),
    ),
    "first-person anecdote": (
        ("I was diagnosed with CRPS in my left foot after a fracture.",
         "My migraines went from about 12 a month to 5.",
         "It totally cured my anxiety lol.",
         "We tried ketamine for migraine and it worked wonders.",
         "Our son takes melatonin every night and sleeps through."),
        ("My pain doctor explained that ketamine blocks NMDA receptors.",
         "We have also seen inflammation in the bladder with long-term, high doses of ketamine.",
         "We gave it to 200 patients and 80% reported less pain.",
         "Our children's hospital offers ketamine for procedures.",
         "Our family medicine doctors say flu shots prevent hospital stays."),
    ),
    "care procedure": (
        ("Post-treatment, your healthcare provider will assess the effectiveness of the therapy.",
         "It's offered every year to help protect people at risk."),
        ("Ketamine is given by infusion and relieves pain.",),
    ),
    "background fact": (
        ("Ibuprofen belongs to a group of medicines called NSAIDs.",
         "The study was funded by the National Institute of Mental Health.",
         "Half took 2,000 IU of vitamin D3 a day and half took a placebo.",
         "Fluoride varnish is free on the NHS for children from the age of 3.",
         "Half were prescribed a beta blocker such as metoprolol and half were not.",
         "They became standard after heart attacks in the 1980s.",
         "The researchers looked at dietary records from about 20,000 adults."),
        ("Vitamin D did not prevent depression.",),
    ),
    "cited_source": (
        ("A 2009 study published in the National Institute of Health showcases its ability.",
         "The National Library of Medicine described that some side effects can occur.",
         "According to one of the largest trials of its kind, it does not work.",
         "In the PREEMPT trials, patients had fewer headache days.",
         '"It works," said Dr. Olivia Okereke, the lead author.',
         "The US Food and Drug Administration has granted accelerated approval to lecanemab."),
        ("Research shows that ketamine is effective.",
         "My pain doctor explained that ketamine blocks NMDA receptors."),
    ),
    "safety": (
        ("Patients have reported hallucinations, drowsiness and dizziness.",
         "Melatonin can interact with blood thinners.",
         "Mebendazole is not licensed for children under two.",
         "Probiotics are generally safe for healthy people.",
         "These symptoms appear to correct with stopping the ketamine use.",
         "Further noise exposure can make tinnitus worse.",
         "An occasional dose is unlikely to cause problems for most people.",
         "Food and calcium supplements can stop your body absorbing levothyroxine properly.",
         "Some people notice temporary redness or dryness after treatment.",
         "Anti-inflammatories can irritate the stomach."),
        ("Statins reduce the risk of heart attacks.",),
    ),
    "prevalence": (
        ("Chronic pain affects millions of individuals worldwide.",
         "It affects about 1 in 10 people.",
         "In England, flu kills thousands of people in an average winter.",
         "Each year there are up to 3 million cases of norovirus in the UK.",
         "Chickenpox mostly affects children.",
         "They're common in children, particularly those aged 4 to 11.",
         "Gum recession is also common among regular users."),
        ("Ketamine blocks NMDA receptors.",),
    ),
    "magnitude": (
        ("Acupuncture reduced pain by about 10 points on a 100-point scale.",
         "Piperine increases absorption by up to 2,000%.",
         "Vitamin C halved the risk of catching a cold."),
        ("Ketamine relieves pain.",),
    ),
    "duration": (
        ("Relief often comes within a few hours of administration.",
         "Pain relieving effects have shown to last over three months.",
         "It takes about 2 weeks after having the vaccine for your body to build up protection.",
         "It may take a few weeks for amlodipine to have its full effect on your blood pressure.",
         "Improves skin elasticity in as little as 8 weeks.",
         "It usually gets better by itself after 1 to 2 weeks.",
         "It usually takes 3 to 6 months of daily use before you notice new growth."),
        ("Ketamine blocks NMDA receptors.",),
    ),
    "mechanism": (
        ("Ketamine works primarily as an NMDA receptor antagonist.",
         "These medicines work by blocking the production of prostaglandins.",
         "Fasting triggers autophagy.",
         "MCT oil is quickly converted into ketones by your liver.",
         "Linoleic acid drives chronic inflammation in the body.",
         "Fluoride strengthens tooth enamel.",
         "Leucine switches on muscle protein synthesis.",
         "The body simply excretes the excess in urine."),
        ("Take two capsules daily.",),
    ),
    "efficacy": (
        ("Ketamine therapy can help alleviate chronic pain.",
         "Ketamine therapy has shown significant promise in treating chronic pain.",
         "Higher doses are not more effective.",
         "Many athletes swear by cupping for faster recovery.",
         "Washing hands really does cut the chance of reinfection.",
         "They've been tested and do nothing."),
        ("Ketamine was developed in the 1960s.",),
    ),
    "evidence appeal": (
        ("Research indicates that ketamine can help reset pain pathways.",
         "Ketamine has been shown to interrupt neural pathways."),
        ("Ketamine is an anesthetic.",),
    ),
    "evidence status": (
        ("The evidence is modest.", "Large randomised trials have mostly been disappointing.",
         "There is little evidence that the combination works better."),
        ("Ketamine relieves pain.",),
    ),
    "condition description": (
        ("Chronic pain is defined as pain that lasts for more than three months.",
         "This condition can be caused by nerve damage or improper healing.",
         "The main symptom of chickenpox is an itchy, spotty rash.",
         "Chickenpox during pregnancy can cause serious problems for you and your baby."),
        ("Ketamine relieves pain.",),
    ),
    "health anchor": (
        ("The treatment relieved symptoms in most patients.", "Tendonitis is common.",
         "Ear wax build-up affects around one in ten adults.",
         "Threadworms are extremely common in young children."),
        ("Free returns within 30 days.", "Our shop ships worldwide within a week."),
    ),
    "hedge": (
        ("Ketamine may help.", "It shows promise.", "It appears to work.",
         "Most side effects are mild."),
        ("Ketamine blocks NMDA receptors.", "It is the most common method."),
    ),
    "absolute strong": (
        ("It has been proven to work.", "This tea cures cancer.", "Zero side effects: 100% safe."),
        ("It may help.",),
    ),
    "absolute weak": (
        ("It provides lasting relief from chronic pain.", "It eliminates hangover symptoms."),
        ("It may help a little.",),
    ),
    "negation": (
        ("Vitamin D does not prevent depression.", "There is no evidence that it works.",
         "Traditional treatments may not always provide lasting relief."),
        ("Ketamine relieves pain.",),
    ),
}


def test_every_group_has_an_example():
    assert set(EXAMPLES) == set(rules.ALL_GROUPS)


@pytest.mark.parametrize("group", sorted(EXAMPLES))
def test_group_matches_its_examples(group):
    positives, negatives = EXAMPLES[group]
    pattern = rules.pattern(group)
    for sentence in positives:
        assert pattern.search(sentence), f"{group} should match: {sentence}"
    for sentence in negatives:
        assert not pattern.search(sentence), f"{group} should not match: {sentence}"


def test_an_empty_group_is_refused():
    with pytest.raises(ValueError, match="empty"):
        rules.compile_group("nothing", ())


def test_sentence_shapes():
    assert rules.TEASER_END.search("Discover how weed affects breast milk and their…")
    assert rules.TEASER_END.search("Read more about this...")
    assert not rules.TEASER_END.search("Ketamine works.")
    assert rules.NAVIGATION_LINE.search("CRPS Support Forum › Treatments › Ketamine infusions")
    assert rules.NAVIGATION_LINE.search("Home / Supplements / Sleep & Relaxation")
    assert not rules.NAVIGATION_LINE.search("Take 1 or 2 tablets, up to three times a day.")
    assert rules.SPEAKER_LABEL.match("DR. PATEL: We think it works through glutamate.")
    assert rules.SPEAKER_LABEL.match("nutrition_nerd_amy: Senna is a laxative.")
    assert rules.ANAPHORIC_OPENER.search("They reduce the risk of heart attacks.")
    assert rules.ANAPHORIC_OPENER.search("Occasionally it causes diarrhoea.")
    assert rules.SUBJECTLESS_CLAIM.search("Clinically proven to reduce muscle cramps.")


def test_advice_with_a_reason_clause_that_makes_a_claim():
    m = rules.MIXED_CLAIM_CLAUSE.search(
        "Do not drink alcohol while taking co-codamol, as it increases drowsiness.")
    assert m and m.group("a") == "it increases drowsiness."
    assert rules.MIXED_CLAIM_CLAUSE.search("Ask your GP, but side effects are rare.")
    assert not rules.MIXED_CLAIM_CLAUSE.search("Take two tablets with water.")


def test_generic_interventions_by_shape():
    for text, found in (("Steroid injections may ease a flare-up.", "Steroid injections"),
                        ("Patients on lecanemab declined more slowly.", "lecanemab"),
                        ("Eating oats every day lowers cholesterol.", "Eating oats every"),
                        ("Regular sunscreen use reduces melanoma.", "sunscreen use")):
        m = rules.GENERIC_INTERVENTION.search(text)
        assert m and m.group(0) == found, text
    assert not rules.GENERIC_INTERVENTION.search("The weather is nice today.")
