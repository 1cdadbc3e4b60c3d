"""Health-claim rules as named data.

Every vocabulary below is a tuple of regular-expression fragments with a comment saying what it
catches. ``compile_group`` composes a group into one case-insensitive, word-bounded pattern and
refuses an empty group, so a new site's wording is added in exactly one place: append a fragment
to the right tuple (and a sentence to ``tests/claims/test_rules.py`` showing it fires).

The groups feed three decisions made in ``classify.py``:

* exclusion (``NON_CLAIM_GROUPS``): sentences that are never check-worthy whatever they contain;
* claim cues (``CLAIM_TYPE_GROUPS``): what kind of testable assertion a sentence makes;
* certainty and polarity (``HEDGE``, ``ABSOLUTE_STRONG``, ``ABSOLUTE_WEAK``, ``NEGATION``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from ..rulegroups import alternatives

# --------------------------------------------------------------------------------------------
# Sentences that are never claims
# --------------------------------------------------------------------------------------------

# Reader address and advice: the sentence tells the reader what to do.
READER_ADVICE: tuple[str, ...] = (
    r"^[\"“‘']?(?:if you[^,]{0,120},\s*)?(?:please\s+)?(?:consider|ask|talk|speak|consult|contact"
    r"|call|"
    r"reach out|schedule|book|visit|seek|don[’']t hesitate|do not hesitate|find out|learn|read|"
    r"discover|explore|click|sign up|subscribe|join|take the first step|get started|check out|"
    r"make sure|remember|try|see your|let us|start|choose|take|stop|use|keep|avoid|follow|drink|"
    r"eat|apply|wait|leave|store|tell|drop|ready to|stay|shake|wash|rinse|pop in|swallow|place|put|"
    r"cover|sip|spray|massage|inhale|always (?:place|put|speak|talk|check|ask|keep|use|read|follow|"
    r"tell|wash|store|seek|get|make|lay))\b",
    r"\bto (?:find out|determine|see|learn|know) (?:if|whether|more)\b.{0,80}\b(?:ask|consult|"
    r"talk|contact|speak|call)\b",
    r"\byou (?:should|must|need to|can) (?:always )?(?:ask|consult|talk|speak|discuss|contact|"
    r"check with|see)\b",
    r"^(?:please\s+)?(?:do not|don[’']t|never) (?:take|use|give|drink|exceed|stop|drive|mix|crush|"
    r"chew|share|store|apply|have|eat|get|lie|sit|stand|sleep|bathe|shower|swim|exercise|lift|"
    r"touch|rub|scratch|wear|smoke|go|forget|skip|wait|start)\b",
    r"(?:^|:\s*)(?:take|use|apply|give|swallow|chew|dissolve)\s+(?:\d|one|two|three|a |an |half)",
    r"\b(?:take|use) \d+(?: (?:or|to) \d+)? (?:tablets?|capsules?|gummies|drops|puffs|sprays?|"
    r"scoops?|ml)\b",
    r"\bit is (?:crucial|essential|important|vital) (?:to|that you) (?:discuss|consult|talk|speak|"
    r"appreciate|follow|ask|check)\b",
    r"\bhere are some (?:tips|troubleshooting tips|ways)\b",
    r"^you (?:may|might|could) (?:have|be|suffer|need)\b",
    r"^if you(?:['’]ve| have)? been (?:living|struggling|suffering|dealing|coping)\b",
    r"^if you[^,]{0,120},\s*you(?:['’]ve| have| may| might)? (?:probably )?(?:heard|seen|know|"
    r"wondered|tried|been)\b",
    r"^(?:give|grab|get|boost|fuel|nourish|protect|treat yourself)\b(?! (?:rid|better|worse)\b)",
    r"\b(?:should|must|needs? to) (?:always |first )?(?:talk|speak|check) (?:to|with) (?:their|"
    r"your|a) (?:gp|doctor|pharmacist|midwife|nurse)\b",
    r"^you can (?:help|report|find|ask|get|order|book|read)\b|\bit['’]s worth (?:talking|discussing|"
    r"asking|checking|speaking)\b",
    r"^(?:you|your (?:child|baby|son|daughter|partner)) (?:should|must|need to) (?:avoid|not|wait|"
    r"keep|stay|try|take|use|drink|eat)\b",
    r"^(?:suggested|recommended) (?:use|dose|dosage)\b|^directions\b|^how to (?:use|take)\b|\bcan be "
    r"taken (?:with or without|with|without|before|after) (?:food|meals|water)\b",
)

# Article plans and meta-text: the article describing itself.
ARTICLE_PLAN: tuple[str, ...] = (
    r"\bin this (?:article|blog|post|guide|piece|page|section|video)\b",
    r"\bwe (?:will|['’]ll) (?:explore|explain|discuss|look|cover|walk|review|answer|dive|examine)"
    r"\b",
    r"\bby the end(?: of this)?\b.{0,40}\byou (?:will|['’]ll)\b",
    r"\bread on\b",
    r"\b(?:here[’']s|here is) (?:how|what|a step-by-step|why)\b",
    r"\bstep-by-step guide\b",
    r"\bthis article is in the category\b",
    r"\b(?:below|the following) (?:are|is|lists?)\b",
    r"\bfor more information\b",
    r"^(?:sources?|references?|further reading|citations?|bibliography)\s*:",
    r"\byou can visit this resource\b",
    r"\bour (?:speaker|guest|panel|expert)s? (?:tonight |today |this week )?(?:is|are)\b|^today "
    r"(?:i['’]m|we['’]re) (?:talking|speaking) (?:to|with)\b",
)

# Promotion, calls to action and navigation: the publisher selling or linking.
PROMOTION: tuple[str, ...] = (
    r"\bcontact us\b",
    r"\b(?:we|our (?:team|clinic|practice|experienced team|specialists|doctors)) (?:offer|provide|"
    r"will guide|can help you|are here|specialize|specialise|combine|tailor|create)\b",
    r"\b(?:fda-registered|gmp-certified|made in (?:an?|the) )",
    r"\bour experienced team\b",
    r"\bfree consultation\b",
    r"\b(?:free returns|money-back|returns within|free delivery|members save)\b",
    r"\bschedule (?:a|your) (?:free )?(?:consultation|appointment|visit)\b",
    r"\b(?:book|order|buy|shop) (?:now|today|online)\b",
    r"\b(?:use code|discount|% off|free shipping|add to cart|subscribe and save)\b",
    r"\bshare (?:with friends|this)\b",
    r"\bback to (?:blog|top|home)\b",
    r"\bjoin the thousands\b",
    r"\b(?:sign up|subscribe) (?:for|to) (?:our|the) (?:newsletter|updates)\b",
    r"\bcreated by\b.{0,40}\bteam\b",
    r"\b(?:related|recommended) (?:posts?|articles?|reading)\b",
    r"\blast (?:updated|reviewed)\b",
    r"\bmedically reviewed by\b",
    r"(?-i:^(?:Dr|Prof|Professor)\.?\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}\s+(?:works|specializes|"
    r"specialises|practices|practises|is a board|has been practicing|founded|leads our))",
    r"\bthis (?:content|article) is for (?:informational|educational) purposes\b",
    r"\bnot intended to (?:diagnose|treat|cure|prevent)\b",
    r"\b(?:have|has) not been evaluated by (?:the )?(?:FDA|Food and Drug Administration|MHRA|TGA|"
    r"Health Canada|EFSA|any)\b",
    # the publisher's credentials and track record
    r"\b(?:over|more than|almost|nearly|\d+\+?) (?:\d+ )?years['’]? (?:of )?(?:clinical )?experience\b",
    r"\b(?:has|have) (?:already )?helped (?:more than |over |thousands of |hundreds of )?[\d,]*"
    r"\s?(?:patients|clients|people|customers|families|women|men)\b",
    r"\bnot medical advice\b",
    r"\bwith our (?:[\w-]+ ){0,3}(?:gummies|capsules|tablets|drops|formula|blend|supplements?|"
    r"products?|cream|serum|powder|tea)\b",
)

# Vague evaluation: praise or outlook with nothing an editor could check.
# First-person anecdote: the writer's own experience, not a general claim.
FIRST_PERSON: tuple[str, ...] = (
    r"^[\"“‘']?(?:(?:honestly|so|okay|ok|well|yeah|and|but),?\s+){0,2}(?:i|i['’](?:ve|m|d|ll))\b",
    r"^personally,?\s+(?:i|my|me)\b",
    r"^(?:honestly,?\s*)?my\b(?! (?:\w+ )?(?:doctor|gp|physician|neurologist|rheumatologist|"
    r"rheumy|consultant|pharmacist|specialist|nurse|therapist) (?:explained|said|told|says|thinks"
    r"))",
    r"\b(?:cured|fixed|helped|changed|saved|ruined) my\b",
    # a family's experience ("We tried ketamine and it worked wonders", "Our son takes it"),
    # not a clinic's "we" ("We have also seen inflammation in the bladder")
    r"^(?:(?:so|and|but|then|finally|eventually),?\s+)?we (?:tried|started (?:him|her|them|taking"
    r"|using|giving)|gave (?:it|him|her|them)|switched (?:him|her|them )?to|decided to try)\b"
    r"(?!.*\b(?:patients|participants|subjects|volunteers|clients|adults|people)\b)",
    r"^(?:our|my) (?:son|daughter|husband|wife|partner|kids?|child|children|toddler|baby|mom|"
    r"mum|mother|dad|father|family|grandmother|grandfather)\b(?!['’]s)(?! (?:hospital|"
    r"psychiatr|medicine|practice|clinic|doctor|physician|team|dentist|therap|care\b|health|"
    r"medical|nurse|services?|unit|ward|program))",
    r"^(?:\w+ ){0,4}(?:ago|now|today|yesterday|recently),? (?:i|my)\b",
    r",\s*i (?:can|could|feel|felt|have|had|was|am|['’]ve|['’]m)\b",
    r"^(?:a )?bit (?:nervous|worried|scared|anxious)\b|^(?:really |so |very )?(?:nervous|worried|"
    r"scared|terrified|anxious) (?:about|of)\b",
)

# What a clinician or clinic will do during care: procedure, not a claim about effects.
PROCEDURE: tuple[str, ...] = (
    r"\byour (?:healthcare provider|health care provider|doctor|provider|physician|nurse|"
    r"clinician|specialist|care team|team) will\b",
    r"\b(?:during|after) (?:this|the|your) (?:evaluation|consultation|process|session|visit|"
    r"appointment)\b",
    r"\b(?:is|are|it['’]s|they['’]re) (?:offered|available) (?:every|each|to|for|free|on)\b",
    r"\byou will be (?:monitored|seen|asked|given|sedated|observed)\b",
    r"\bin our (?:[\w-]+ ){0,3}(?:suites?|clinics?|centres?|centers?|offices?|rooms?|practice)\b",
    r"^we (?:give|use|monitor|prescribe|start|check|administer)\b",
    r"\b(?:you are|you['’]re|are|is) eligible\b",
    r"\beach (?:infusion|session|treatment|appointment|visit) (?:lasts|takes)\b",
    r"\b(?:injected|administered) (?:into|as|through|every|once|twice|via)\b|"
    r"\bgiven as (?:\d+|two|three) doses\b|\bcan be administered in (?:various|several|"
    r"different|a variety of) ways\b|"
    r"\b(?:is|are) given as a (?:slow |single |short )?(?:infusion|injection|drip)\b|"
    r"\b(?:is|are) given (?:into|under) (?:a |the )?(?:vein|skin|muscle)\b",
    # what happens to the reader during or after a procedure ("During HBOT you relax in a
    # chamber…", "you'll be given antibiotics")
    r"^during (?:the |your |a |an )?(?:[\w()-]+ ){1,6}(?:you|the patient|patients) (?:relax|lie|sit|"
    r"breathe|wear|will)\b",
    r"\byou['’]ll be (?:given|offered|prescribed|referred|monitored|seen|asked)\b",
    r"\beach (?:infusion |session |treatment |appointment |visit )?(?:lasting|taking)\b|\b(?:need|needs|"
    r"require|requires) (?:a course of )?(?:\d+|two|three|four|five|six)(?: (?:to|-) \w+)? (?:weekly |"
    r"daily |monthly )?(?:sessions|treatments|infusions|injections|visits)\b",
    r"\b(?:may|will|can) be (?:given|offered|prescribed) if\b",
)

# Classifications and study logistics: true or false, but not a health claim to check.
BACKGROUND_FACT: tuple[str, ...] = (
    r"\bbelongs? to a (?:group|class|family) of\b",
    r"\b(?:is|are) a (?:type|class|group|form|kind) of (?:medicine|drug|medication)s?\b",
    r"\b(?:was|were|is|are) (?:funded|sponsored|paid for) by\b",
    r"\bconflicts? of interest\b",
    r"\b(?:affiliate|affiliated with|founded in|headquartered)\b",
    r"\b(?:plans?|intends?|expects?) to (?:begin|start|launch|file|submit|seek)\b",
    r"\bforward-looking statements\b",
    r"^the (?:trial|study) (?:enrolled|recruited|included|involved)\b",
    r"^(?:\w+ ){0,5}(?:participants|patients|veterans|adults|people|volunteers|women|men|children)"
    r"(?: with [\w\s-]+?)? (?:received|were given|were randomi[sz]ed|were assigned)\b",
    r"\btoo small to (?:draw|show|prove)\b|\b(?:larger|more|further) (?:studies|trials|research) "
    r"(?:are|is) needed\b",
    r"^contains? (?:less|more) than\b",
    r"^[\w-]+ is an? (?:[\w-]+ ){0,3}(?:inhibitor|antagonist|agonist|blocker|antibiotic|"
    r"antidepressant|anticoagulant|analgesic|steroid|antihistamine)s?\.$",
    r"\b(?:sold|available|supplied) as\b|\b(?:is|are) (?:a |an )?(?:biotechnology|pharmaceutical|"
    r"medical device|drug) company\b",
    r"\b(?:was|were|has been|have been) (?:updated|viewed|shared|downloaded)\b",
    r"^(?:half|one group|the other group|the control group|participants|volunteers) (?:of them )?"
    r"(?:took|received|were given|were randomi[sz]ed|were assigned|were prescribed|were offered)\b",
    # what a study looked at, with no finding in the sentence
    r"^(?:the )?(?:researchers|scientists|investigators|authors|team) (?:looked at|analy[sz]ed|"
    r"used|recruited|enrolled|surveyed|followed|tracked)\b(?!.*\b(?:found|showed|shown|linked|"
    r"reported|suggest\w*|concluded)\b)",
    r"\b(?:is|are) (?:currently )?(?:not )?available (?:in|on) the (?:UK|US|NHS)\b",
    r"\bcosts? (?:about |around |up to |over |from )?[$£€]\s?\d|\b(?:insurers|insurance|"
    r"the NHS) (?:do not|don['’]t|does not|doesn['’]t|won['’]t|will not)? ?cover\b",
    r"\b(?:is|are) (?:free|available|offered) (?:on|from|through) the NHS\b|\bcalled for (?:more |"
    r"further |larger |longer )?(?:trials|studies|research)\b",
    r"\bpart of the (?:NHS |routine |national |childhood )?(?:vaccination|immuni[sz]ation|screening) "
    r"(?:schedule|programme|program)\b",
    r"\b(?:will|would) need to be (?:confirmed|replicated|repeated)\b|\bthe (?:trial|study|analysis) "
    r"did not (?:measure|look at|assess|record)\b",
    r"\bbecame (?:standard|routine|widely used|popular|common) (?:[\w,]+ ){0,5}in the (?:19|20)\d0s\b",
    r"^(?:an? )?[\w -]{2,40} is an? (?:[\w-]+ ){0,3}(?:cloth|device|technique|procedure|method|machine|"
    r"gadget|pad|wrap) (?:that|which|in which|where)\b",
)

# Recommendations and norms: what ought to happen, not what is the case.
NORMATIVE: tuple[str, ...] = (
    r"\bwe (?:recommend|advise|suggest)\b",
    r"\bmust be (?:monitored|given|taken|administered|supervised|prescribed)\b",
    r"\bshould not (?:stop|start|take|use|be stopped)\b",
    r"\bshould (?:only )?(?:be )?(?:administered|used|taken|given|prescribed|performed|discussed)"
    r"\b",
    r"^(?:understanding|knowing|learning about|being aware of)\b",
    r"\bit['’]s (?:important|essential|vital|crucial) (?:for [\w\s]{2,40}? )?to (?:get|be|have|take|"
    r"see|keep)\b",
)

VAGUE_OUTLOOK: tuple[str, ...] = (
    # reported beliefs and ideas, not asserted by the writer
    r"\b(?:some|many|most) people (?:worry|believe|think|assume|fear)\b|\bthe idea that\b|"
    r"\b(?:questioned|question|wonder|wondered) whether\b",
    r"\b(?:promising|bright|exciting) (?:future|area|field|outlook)\b",
    r"\bas research continues\b",
    r"\bmore research (?:will be|is|is being) (?:conducted|needed|done)\b",
    r"\bsignify a promising\b",
    r"\bpart of a broader movement\b",
    r"\bholistic approach\b",
    r"\b(?:led to its|its) exploration\b|\bbeing (?:explored|studied|investigated)\b",
    r"\b(?:more|increasingly|widely) (?:accessible|available|popular)\b",
    r"\b(?:concerns|worries|questions) (?:are|is) (?:growing|mounting)\b",
    r"\b(?:benefits and risks|risks and benefits|pros and cons)\b",
)

NON_CLAIM_GROUPS: Mapping[str, tuple[str, ...]] = {
    "reader advice": READER_ADVICE,
    "article plan": ARTICLE_PLAN,
    "promotion or navigation": PROMOTION,
    "vague outlook": VAGUE_OUTLOOK,
    "recommendation": NORMATIVE,
    "first-person anecdote": FIRST_PERSON,
    "care procedure": PROCEDURE,
    "background fact": BACKGROUND_FACT,
}

# Descriptions of a condition (definition, classification, causes): not a claim unless the
# sentence also names an intervention (checked in classify.py).
CONDITION_DESCRIPTION: tuple[str, ...] = (
    r"\b(?:is|are) (?:defined as|characteri[sz]ed by|classified as)\b",
    r"\b(?:also )?known as\b",
    r"\b(?:is|are|isn[’']t|aren[’']t|not) (?:easy|hard|difficult|challenging) to (?:treat|diagnos"
    r"e)\b",
    r"\b(?:can be|is|are|often) caused by\b|\bcaused by (?:the|a|an)\b",
    r"\b(?:condition|disease|infection|illness|disorder|virus|bacteri\w+) (?:that is |which is )?"
    r"(?:caused|spread|passed|transmitted|carried) (?:by|through|via)\b",
    r"^(?:it|they|the (?:virus|bacteria|infection|disease)) (?:is |are )?(?:spreads?|passed|"
    r"transmitted) (?:by|through|via)\b",
    r"\bcan result from\b",
    r"\bat (?:the )?(?:highest|higher|greatest|increased|high) risk of (?:becoming|getting|"
    r"developing|serious)\b",
    r"\bcan (?:significantly )?impact\b",
    r"\b(?:can )?lead to serious (?:problems|complications|illness)\b",
    r"^complications (?:are|is) (?:more )?(?:likely|common)\b",
    r"\b(?:people|patients|children|adults) with (?:[\w-]+ ){0,5}(?:develop|get|experience|notice)s?"
    r"\b",
    r"\bis an? (?:[\w-]+ ){0,5}(?:bug|infection|condition|disease|disorder|virus|illness|emergency|"
    r"syndrome)(?: of the [\w-]+)? (?:that|which) (?:causes|happens|occurs)\b",
    r"\bis an? (?:[\w-]+ ){0,3}(?:condition|disease|disorder|illness|syndrome) (?:where|in which) "
    r"(?:the|your|a|an)\b",
    r"^(?:[\w()’'-]+,? ){1,6}is when (?:the|your|a|an|you)\b",
    r"\b(?:are|is) (?:more|less) likely to (?:become|get|develop|catch)\b",
    r"\bthe (?:main|most common|first|usual|typical|classic) (?:symptoms?|signs?) (?:of [\w\s-]+ )?"
    r"(?:is|are|include)\b",
    r"\b(?:can|may) (?:cause|lead to) serious (?:problems|complications|illness)\b",
)

# --------------------------------------------------------------------------------------------
# Claim cues, one group per claim type
# --------------------------------------------------------------------------------------------

# A named, specific source: a dated or published study, named institution, journal or agency.
CITED_SOURCE: tuple[str, ...] = (
    r"\b(?:a|an|one|the|this|that) (?:[\w-]+ ){0,3}?"
    r"(?:study|trial|review|meta-analysis|analysis|survey|report|paper)s? "
    r"(?:published|conducted|led|funded|from|by|in|of \d|found|showed|shows|reported|suggests|"
    r"(?:has|have) (?:found|shown|reported)|"
    r"concluded|showcases|demonstrated|involving|with \d|where|which found|that found|at|"
    r"followed|tracked|enrolled|recruited|looked at|examined|compared|pooled)\b",
    r"\baccording to (?:\w+ ){0,5}(?:study|studies|trials?|review|research|survey|report|data|"
    r"analysis|guidelines?)\b",
    r"(?-i:\bsaid (?:Dr|Prof|Professor)\.? [A-Z])",
    r"(?-i:\b(?:Dr|Prof|Professor)\.? [A-Z][\w-]+(?: [A-Z][\w-]+)?,? (?:said|says|explained|added|"
    r"told|warned|noted))",
    r"(?-i:\b[A-Z][A-Z0-9-]{2,} (?:study|studies|trials?)\b)",
    r"(?-i:\b[A-Z][a-z]+ (?:researchers|scientists|doctors) (?:found|showed|reported|discovered))",
    r"^(?:in|from) (?:a|an|one|the) (?:[\w-]+ ){0,4}(?:study|trial|review|meta-analysis|analysis|"
    r"survey)\b",
    r"\bin a (?:[\w-]+ ){0,3}(?:review|meta-analysis|analysis) of \d+",
    r"(?-i:\b(?:Dr|Prof|Professor)\.? [A-Z][\w-]+ [A-Z][\w-]+,[^,]{3,90},? (?:said|says|explained|"
    r"added|told|warned|noted)\b)",
    r"(?-i:\b(?:Food and Drug Administration|European Medicines Agency|National Institutes? of "
    r"Health|Centers for Disease Control|World Health Organi[sz]ation|Medicines and Healthcare)\b"
    r")",
    r"\b(?:granted|gave|received) (?:\w+ )?approval\b|\bapproved by the\b",
    r"\bregulators? (?:have |has )?(?:approved|cleared|authori[sz]ed)\b",
    r"\bphase (?:[1-4]|i{1,3}|iv)[ab]? (?:trial|study|studies|trials)\b",
    r"\bannounced (?:\w+ ){0,2}(?:results|findings|data)\b",
    r"\b(?:in|from) (?:19|20)\d\d,? (?:when )?(?:researchers|scientists|a study|a trial)\b",
    r"\b(?:researchers|scientists|investigators|authors) (?:at|from|in|of)\b",
    r"\bthe researchers (?:linked|found|reported|showed|observed|concluded|noted|discovered)\b",
    r"\baccording to (?:the |a |an )?(?:(?-i:[A-Z])[\w.&-]*|(?:19|20)\d\d|recent|new|researchers|"
    r"data|figures|guidelines|study|survey|report)",
    r"\b(?:published|reported|appearing) in (?:the )?(?:journal|(?-i:[A-Z]))",
    r"(?-i:\b(?:National|American|European|British|World|Canadian|Royal)\s+(?:[A-Z][\w-]+\s+)"
    r"{0,4}(?:Institutes?|Library|Association|Organi[sz]ation|Society|College|Academy|Agency|"
    r"Foundation|Service|Centers?|Bulletin|Health|Journal)\b)",
    r"(?-i:\bJournal of [A-Z])",
    r"\b(?:Medical News Bulletin|Cochrane|Mayo Clinic|Cleveland Clinic|Lancet|JAMA|BMJ|NEJM|"
    r"New England Journal|Harvard)\b",
    r"(?-i:\b(?:FDA|EMA|NIH|NICE|CDC|WHO|NHS|MHRA|USPSTF)\b)",
    r"(?-i:\b[A-Z][\w.]+(?:\s+(?:of\s+)?[A-Z][\w.]+)*\s+(?:explained|described|reported|stated|"
    r"noted|wrote|concluded|warned|describes|reports|states|explains|found|recommends|advises|"
    r"advised|says|said) (?:that|how)\b)",
    r"^(?:it|they|the (?:study|trial|review|analysis|authors|researchers|team)) (?:also )?"
    r"(?:found|showed|reported|concluded|observed|linked)\b",
    r"(?-i:\b(?:University|Institute|Hospital|College) of [A-Z])",
    r"(?-i:\b[A-Z][\w-]+ (?:University|Hospital|Medical School|Clinic)\b)",
)

# Frequency in a population.
PREVALENCE: tuple[str, ...] = (
    r"\baffects? (?:an estimated |about |around |roughly |nearly |over |more than |up to )?"
    r"(?:millions|thousands|\d[\d,.]*(?: million| billion)?|one in|\d+ in|\d+ ?%|"
    r"(?:one|two|three|a) (?:quarter|third|half|fifth|tenth)|many|most|(?:\w+ )?percent)",
    r"\b(?:one|two|three|\d+) (?:in|out of) (?:every )?(?:\d+|two|three|four|five|six|seven|eight|"
    r"nine|ten|twenty|a hundred)\b",
    r"\b\d[\d.]* ?(?:%|percent) of (?:all |the )?(?:people|adults|children|women|men|patients|"
    r"americans|the population|users|cases|those|individuals)\b",
    r"\bmillions of (?:people|individuals|americans|adults|patients|children|women|men)\b",
    r"\bkill(?:s|ed)? (?:an estimated |about |around |over |more than )?(?:thousands|millions|"
    r"hundreds|\d[\d,.]*)",
    r"\b(?:thousands|millions|\d[\d,.]* (?:million|thousand)) (?:of )?(?:people|deaths|cases|"
    r"hospital admissions) (?:a|each|every|per) (?:year|winter|day)\b",
    r"\b(?:is|are) (?:the )?(?:most|more|very|fairly|increasingly) common\b",
    r"\bamong the most (?:common|popular|widely used|prescribed)\b|\bmost (?:widely )?used\b",
    r"\bone of the most (?:common|frequent|popular|widely)\b|\bthe (?:biggest|largest|main) "
    r"(?:single )?source of\b",
    r"\b(?:a |the )?leading cause of\b",
    r"\b(?:best-selling|most popular|most prescribed|most widely used)\b",
    r"\b(?:is|are) (?:a |an )?(?:very |extremely |fairly )?common (?:issue|problem|condition|"
    r"cause|complaint|disorder|disease)\b",
    r"\bprevalence\b",
    r"\b(?:mostly|mainly|largely|usually|often) affects?\b",
    r"\b(?:is|are|['’]re|['’]s) (?:also |very |quite |fairly |most |more |extremely |especially )?"
    r"common (?:in|among)\b",
    r"\b(?:has|have) become (?:very |extremely |increasingly )?(?:rare|common|uncommon)\b|\bcases "
    r"(?:now )?(?:occur|happen)\b|\bone of the (?:best[- ]known|most (?:popular|widely used))\b",
    r"\b(?:\d[\d,.]* (?:to|-|–) )?\d[\d,.]*(?: million| thousand| billion)? (?:confirmed |new |"
    r"reported |diagnosed )?(?:cases|deaths|infections|diagnoses)\b(?=.*\b(?:(?:a|each|every|per) "
    r"(?:year|winter)|annually)\b)",
    r"\b(?:each|every|a) year,? there are\b",
    r"\b(?:a small|a large|a tiny|only a|a high|a low) (?:proportion|percentage|fraction|minority|"
    r"majority) of\b|\b(?:much |far )?(?:rarer|more common|less common) than\b",
    r"\bincidence\b",
)

# Size of an effect.
MAGNITUDE: tuple[str, ...] = (
    r"\b(?:by|of|in|to|about|around|over|nearly|up to|than|over) \d[\d.,]* ?(?:%|percent|"
    r"percentage points?)",
    r"\b\d[\d.,]* ?(?:%|percent) (?:reduction|decrease|increase|improvement|lower|higher|fewer|"
    r"more|less|of (?:patients|participants|people|users))",
    r"\b(?:halve[sd]?|halving|double[sd]?|doubling|triple[sd]?|\d+-fold|\w+fold|\d+x)\b",
    r"\bby (?:about |around |roughly |up to |nearly |an average of )?(?:\d[\d.,]*|one|two|three|"
    r"four|five|six|ten|half a) (?:to \d+ )?(?:points?|kg|kilograms?|pounds|lbs|mmhg)\b",
    r"\b(?:half|a third|a quarter|twice|\d+ times) as (?:many|much|likely|often)\b",
    r"\b(?:less|more) than (?:half|a third|a quarter|one|two) (?:a )?points?\b|\b\d+-point scale"
    r"\b",
    r"\b\d[\d.,]* (?:times|x) (?:better|more|faster|higher|lower|less)\b",
    r"\b(?:twice|three times|four times|ten times) (?:as|more|less|higher|lower)\b",
    r"\b\d[\d.,]* (?:minutes|hours|days|points|kg|pounds|lbs) (?:faster|longer|shorter|sooner|"
    r"earlier|more|less|fewer)\b",
    r"\b(?:around|about|nearly|roughly|over|almost|more than) (?:half|a third|a quarter|two third"
    r"s|"
    r"three quarters) of\b",
    r"\bby (?:about |around |roughly |nearly |almost |over |more than )?(?:half|a third|a quarter|"
    r"two thirds|three quarters)\b",
    r"\b(?:reduced|lowered|cut|increased|raised|improved|dropped|fell|rose)\b[^.]{0,40}\bby "
    r"(?:half|a third|a quarter|\d)",
    r"\brelative risk\b|\bodds ratio\b|\bhazard ratio\b|\bnumber needed to treat\b",
    r"\bby as much as \d|\bby (?:up to |about |around )?\d[\d.,]* ?(?:cm|mm|kg|points?)\b",
    r"\b(?:lose|lost|gain|gained|losing) (?:an average of |about |around |up to )?\d[\d.,]*(?: ?(?:to|-)"
    r" ?\d[\d.,]*)? ?(?:kg|kilos?|pounds|lbs|stone|%)",
    r"\b(?:filters?|blocks?|removes?|absorbs?|kills?) (?:out )?(?:up to |over |about )?\d[\d.]* ?"
    r"(?:%|percent)",
    r"\b(?:mg/dl|mmhg|mmol/l|points? on the)\b",
)

# Time course: onset, how long an effect lasts, how long until it works.
DURATION: tuple[str, ...] = (
    r"\bwithin (?:a |an |the first |about |around |just )?(?:few |several |couple of |"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
    r"(?:\s*(?:to|-|–|or)\s*(?:\d+|two|three|four|five|six|eight|ten|twelve))? |hours? |minutes? |"
    r"days? |weeks? |months? |years? )*(?:minutes?|hours?|days?|weeks?|months?|years?)\b",
    r"\bwears? off\b|\bno longer differed\b|\bfades?\b|\bwan(?:es|ing)\b",
    r"\bfaded\b|\bwore off\b|\b(?:resolves?|settles?|subsides?) (?:once|when|after|within)\b",
    r"\b(?:goes|go|wears|declines?|drops?) (?:down |off )?over time\b",
    r"\b(?:starts?|begins?) to work\b|\b(?:immediately|instantly|right away)\b",
    r"\bfor (?:days|weeks|months|years) (?:afterwards|after|later)\b",
    r"\b(?:a few |several |\d+ |two |three )?(?:hours|days|weeks|months) later\b",
    r"\btakes? (?:days|weeks|months|hours) to (?:work|take effect|kick in)\b",
    r"\bby (?:day|week|month|year) \d+\b",
    r"\btakes? (?:\w+ ){0,3}(?:minutes|hours|days|weeks|months) (?:\w+ ){0,7}?to (?:start |begin "
    r")?"
    r"(?:work|take effect|kick in|build up)",
    r"\blasts?(?:ing|ed)? (?:for |over |up to |about |around |more than |at least |beyond )"
    r"(?:a |an |\d+ |one |two |three |four |six |several |many |a few |few )?(?:\w+ )?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?)\b",
    r"\bthat lasts for more than\b",
    r"\b(?:for|over|after|up to|at least) (?:the first )?(?:\d+|one|two|three|"
    r"four|five|six|twelve|"
    r"several|many|a few|few) (?:minutes?|hours?|days?|weeks?|months?|years?)\b",
    r"\b(?:minutes|hours|days|weeks|months) before you (?:feel|notice|see)\b",
    r"\b(?:rapid|fast-acting|fast|quick|immediate|rapidly|quickly|immediately)\s+(?:pain )?"
    r"(?:relief|effects?|results?|benefits?|improvements?|reduction|response|acting|relieve)\b",
    r"\b(?:rapid|fast|quick|delayed|slow) onset\b|\bonset of (?:action|effect|relief)\b",
    # time to effect worded around the drug ("may take a few weeks for amlodipine to…")
    r"\btakes? (?:\w+ ){0,3}(?:minutes|hours|days|weeks|months) for \w+",
    r"\bin as little as\b|\blasts? (?:all (?:day|night|morning)|as long as)\b",
    r"\bgets? better (?:by itself |on its own )?(?:after|within|in|by)\b",
    r"\b(?:after|within) \d+ ?(?:to|-|–) ?\d+ (?:days|weeks|months|years)\b",
    r"\b\d+ ?(?:to|-|–) ?\d+ (?:hours|days|weeks|months) (?:after|before)\b|\bshort-term protection\b",
    r"\btakes? (?:\w+ ){0,3}(?:days|weeks|months) (?:[\w-]+ ){0,4}before you (?:notice|see|feel)\b",
    r"\b(?:goes|go|went|clears?|cleared) (?:away|up) (?:in|within|after)\b|\binfectious (?:for|from|"
    r"until)\b|\buntil (?:\d+|two|three|four|five|seven) (?:days|weeks) after\b",
    r"\bafter (?:just )?(?:one|a single|the first) (?:session|dose|infusion|treatment)\b",
)

# Harms, side effects and safety statements.
SAFETY: tuple[str, ...] = (
    r"\bside[- ]effects?\b",
    # a contraindication stated as a fact ("Mebendazole is not licensed for children under two")
    r"\bnot (?:licensed|suitable|safe|approved) (?:for|in|during)\b",
    r"\badverse (?:events?|effects?|reactions?)\b",
    r"\b(?<!reduces the )(?<!reduce the )(?<!reduced the )(?<!lowers the )(?<!lower the )"
    r"(?<!lowered the )(?:risks?|hazards?|dangers?|dangerous|harmful|toxic(?:ity)?|hepato?toxicit"
    r"y|"
    r"contraindicated|overdose|withdrawal|dependence|addiction|addictive|complications?)\b",
    r"\b(?:is|are|be|considered|generally|remarkably|very|perfectly|totally|completely|not) safe"
    r"\b",
    r"\bsafe (?:for|to|when|in|option|alternative|treatment|dose)\b|\ba safe\b",
    r"\b(?:safely|safety|well tolerated|tolerability|(?:not |un)suitable)\b",
    r"\b(?:threats?|pose[sd]? (?:a )?(?:risk|threat|danger)|harm|gentle on)\b",
    r"\b(?:won['’]t|will not|does not|doesn['’]t|did not|didn['’]t|cannot|can['’]t) cause\b",
    r"\binteract(?:s|ions?)? with\b|\bdrug interactions?\b|\bharms\b|\bharmless\b|\bbleeds?\b",
    r"\b(?:increase|decrease|reduce|boost|block)s? the effects? of\b|\bless effective if\b",
    r"\bat (?:greater|higher|increased) risk\b",
    r"\b(?:minimally invasive|non-invasive|reversible)\b",
    r"\bsuicidal (?:thoughts|ideation|behaviou?r) (?:were|was|have been) (?:reported|seen|observe"
    r"d)",
    r"\ballergic reactions?\b|\banaphyla\w+|\bdifficulty breathing\b|\bswelling of\b",
    r"^not (?:for|suitable for|recommended for)\b",
    r"\b(?:level|levels|amount) of [\w ]{2,30}? (?:in your blood )?(?:may |can |could )?"
    r"(?:fall|drop|rise|increase|decrease)\b",
    r"\bblood in (?:their|your|the) (?:urine|stools?)\b|\bpass blood\b",
    r"\bfeel(?:s)? (?:more )?(?:anxious|sick|dizzy|drowsy|tired|nauseous|agitated)\b",
    r"\bnon-habit forming\b|\bhabit-forming\b",
    r"\b(?:cannot|can['’]t|won['’]t|will not) (?:catch|get|give you)\b",
    r"\b(?:isn['’]t|is not|are not|aren['’]t|not) recommended (?:if|for|during|in|with)\b",
    r"\b(?:nauseous|dissociated|dizzy|drowsy|sleepy|jittery|lightheaded)\b",
    r"\b(?:make|makes|made) you (?:sleepy|drowsy|dizzy|sick)\b",
    r"\b(?:bruising|soreness|light-headedness|rash|itching|constipation|diarrh(?:o)?ea|headaches? "
    r"and|laxative effect|grogginess)\b",
    r"\b(?:serious|severe|rare) (?:infections?|cases|reactions?|complications?)\b",
    r"\b(?:correct|resolve|reverse|disappear|subside|improve)s? (?:\w+ )?(?:with|after|on|when) "
    r"(?:stopping|discontinu\w+|cessation)",
    r"\b(?:hallucinations?|nausea|vomiting|dizziness|drowsiness|dissociation|bleeding|"
    r"liver damage|kidney damage|bladder|renal|psychosis|seizures?|insomnia as a|"
    r"interactions? with)\b",
    r"\b(?:can|may|might|could) (?:also )?(?:cause|lead to|trigger|increase the risk|damage|harm)"
    r"\b",
    r"\b(?:raises?|increases?|worsens?|affects?) (?:\w+ ){0,2}(?:cholesterol|blood pressure|"
    r"blood sugar|heart rate|liver enzymes)\b",
    r"\bshould be avoided (?:by|in|during|if)\b",
    # harm worded as worsening, irritation, interference or rarity ("can make tinnitus worse")
    r"\b(?:can|may|might|could|will|does|do) (?:\w+ ){0,3}?make (?:\w+ ){0,3}?worse\b",
    r"\b(?:can|may|might|could) (?:also )?irritate\b|\breduce how well\b|\brarely causes?\b",
    r"\b(?:may|might|could|would) not be suitable\b|\b(?:deaths?|died) (?:\w+ ){0,3}linked\b",
    r"\b(?:cramping|stinging|burning|tingling|aching|pricking) sensation\b|\bpressure in "
    r"(?:their|your|the) ears\b",
    r"\b(?:reduce|reduces|block|blocks|stop|stops|interfere with|interferes with) (?:\w+ ){0,3}?"
    r"absor(?:ption|bing|b)\b",
    r"\b(?:can|may|might|could) (?:also )?(?:thin|weaken|damage|harm) (?:your |the )?\w+",
    r"\bmore likely to (?:die|be hospitali[sz]ed)\b|\b(?:risk|chance|odds) of dying\b|"
    r"\b(?:has|have) caused (?:\w+ ){0,2}(?:disease|damage|deaths?|harm|problems)\b",
    # milder harm and interaction wording ("unlikely to cause problems", "work less well")
    r"\b(?:unlikely|likely|known) to cause\b|\bsafer\b|\b(?:work|works|working) less well\b",
    r"\b(?:unpleasant|bad|bitter|metallic) taste\b|\bfind the taste\b|\bdiscolou?r\w*\b",
    r"\bthe most common (?:ones|effects) (?:are|include)\b",
    r"\bthoughts of (?:suicide|self-harm)\b",
    r"\b(?:can|may|could|will) (?:also )?upset\b",
    r"\b(?:temporary |mild )?(?:redness|dryness|irritation|tenderness|itchiness|stinging)\b",
    r"\b(?:won['’]t|will not|does not|doesn['’]t|cannot|can['’]t) (?:damage|harm|hurt|stain)\b",
    r"\bpush(?:es)? (?:your |the )?(?:blood pressure|blood sugar|heart rate|cholesterol) up\b|"
    r"\b(?:can|may|could) (?:lower|raise|reduce|increase) the (?:level|amount) of\b",
)

# Biological mechanism: receptors, pathways, signalling, neurotransmitters.
MECHANISM: tuple[str, ...] = (
    r"\breceptors?\b",
    r"\b(?:antagonist|agonist|inhibitor|blocker)s?\b",
    r"\b(?:glutamate|serotonin|dopamine|gaba|norepinephrine|bdnf|cortisol|insulin|"
    r"neurotransmitters?|cytokines?|enzymes?|hormones?|prostaglandins?|endorphins?)\b",
    r"\b(?:neural|nerve|pain|neuronal|signal(?:l)?ing|metabolic|inflammatory) (?:pathways?|signal"
    r"s?|"
    r"connections?|transmission|pulses?|circuits?|activity)\b",
    r"\bneuroplasticity\b|\bneurogenesis\b|\bsynap(?:se|ses|tic)\b|\bglia\b|\bmicroglia\b",
    r"\bworks? (?:primarily |mainly |partly )?by\b",
    r"\bmechanism\b",
    r"\b(?:blocks?|blocking|inhibit(?:s|ing)?|modulat(?:es?|ing)|activat(?:es?|ing)|"
    r"bind(?:s|ing)? to|acts? on|acting on|stimulat(?:es?|ing)|suppress(?:es|ing)?|"
    r"regulat(?:es?|ing)|reset(?:s|ting)?|rewire|regenerat(?:es?|ion))\b",
    r"\b(?:gut microbiome|immune system|blood flow|blood-brain barrier|nervous system|"
    r"absorption|bioavailability|metabolism|metabolic rate|brown fat|burns? (?:calories|fat)|"
    r"autophagy|antioxidants?|insulin sensitivity|bloodstream|digestive system|histamine|"
    r"liver enzymes|free radicals|oxidative stress|cells? (?:clean|repair|grow))\b",
    r"\b(?:triggers?|works? through|acts? through|broken down by)\b",
    r"\b(?:blood vessels?|nitric oxide|clot(?:s|ting)?|mitochondria\w*|energy production|"
    r"brain cells|laxative|diuretic|hormone levels|toxins)\b",
    r"\b(?:liver|kidneys?|body|gut|brain) (?:already |naturally |simply )?(?:removes?|filters?|clears?|"
    r"breaks? down|turns?|converts?|absorbs?|makes?|excretes?|stores?|produces?|releases?)\b",
    r"\b(?:put|puts|putting) pressure on\b|\b(?:restrict|restricts|improves?|increases?) "
    r"blood flow\b",
    r"\bhelps? (?:your |the )?(?:body|kidneys?|liver|heart|brain|immune system|cells?|gut|blood) "
    r"(?:to )?\w+",
    r"\btakes? (?:the )?load off\b",
    r"\b(?:blood cells|circulation|circadian rhythm|thins? (?:your |the )?blood)\b",
    r"\b(?:balance of|gut) (?:bacteria|flora|microbes)\b",
    r"\bkills? (?:the |off )?(?:bacteria|viruses|germs|fungi|parasites|cancer cells)\b",
    r"\b(?:damage|protect|repair|regenerate)s? (?:the |your )?(?:damaged )?(?:cells|tissue|dna|nerves)\b",
    r"\b(?:the |a )?(?:root |main |major |big |underlying )?causes? of\b",
    r"\babsorbed (?:faster|better|more quickly|more easily)\b|\bhydrates? you\b|\bph balance\b|"
    r"\bblood ph\b",
    r"\b(?:kidneys|lungs|liver)(?: and \w+)? (?:keep|regulate|control|maintain)\b",
    r"\b(?:protein|chemical|molecule|hormone|enzyme|peptide)s? (?:released|produced|made) by\b",
    r"\b(?:stops?|prevents?|blocks?) (?:\w+ ){0,2}(?:viruses|bacteria|cells) from\b|\bmultiplying"
    r"\b",
    # conversion, production and transport in the body ("converted into ketones by your liver")
    r"\bconvert(?:s|ed|ing)? (?:\w+ ){0,3}?into\b|\b(?:collagen|mucus|acid|bile|sebum) "
    r"production\b",
    r"\breach(?:es)? (?:the )?(?:inside|joints?|brain|eye|bloodstream|cells)\b|\boxygen-rich\b",
    r"\brelax(?:es)? the (?:smooth )?muscles?\b|\bdrives? (?:\w+ )?inflammation\b",
    r"\binvolved in (?:\w+ ){0,4}(?:processes|reactions|functions|pathways)\b|\bskin barrier\b|"
    r"\bneutrali[sz](?:es?|ing)\b|"
    r"\b(?:dissolves?|thins?|loosens?|breaks? up) (?:the )?mucus\b|"
    r"\bprotein synthesis\b|\bpathway called\b|\bswitch(?:es)? on\b|"
    r"\bsignals? (?:to )?(?:the |your )?(?:body|brain)\b",
    r"\bemptying of (?:your |the )?stomach\b|\bgastric emptying\b|\blubricat\w+\b|\bnarrow"
    r"(?:s|ing)? (?:the )?(?:airways?|arteries|blood vessels)\b",
    r"\bstrengthens? (?:the |your )?(?:tooth enamel|enamel|bones|immune system|muscles)\b|\bmore "
    r"resistant to\b",
    r"\b(?:coenzyme|hormone|enzyme)s? (?:found|made|produced) (?:in|by)\b|"
    r"\b(?:hormone|progesterone|o?estrogen|testosterone|insulin|melatonin|energy) production\b",
    r"\b(?:sound|noise|pain|itch|smell) comes from\b|\bkills? (?:the )?\w*(?:virus|bacteri\w*)\b",
)

# Therapeutic effect: an intervention treats, relieves, improves, prevents or cures.
EFFICACY: tuple[str, ...] = (
    r"\b(?:treat(?:s|ed|ing|ment of)?|reliev(?:e|es|ed|ing)|alleviat(?:e|es|ed|ing)|"
    r"ease[sd]?|easing|reduc(?:e|es|ed|ing)|lower(?:s|ed|ing)?|improv(?:e|es|ed|ing|ement)|"
    r"prevent(?:s|ed|ing)?|cur(?:e|es|ed|ing)|heal(?:s|ed|ing)?|boost(?:s|ed|ing)?|"
    r"fight(?:s|ing)?|revers(?:e|es|ed|ing)|eliminat(?:e|es|ed|ing)|restor(?:e|es|ed|ing)|"
    r"manag(?:e|es|ed|ing)|protect(?:s|ed|ing)?|slow(?:s|ed|ing)?|"
    r"support(?:s|ed|ing)?|promot(?:e|es|ed|ing)|enhanc(?:e|es|ed|ing)|block pain)\b",
    r"\b(?:effective(?:ness)?|efficacy|efficacious|beneficial|benefits?|relief|remission|"
    r"success(?:ful)?|useful tool|works?|worked|helps?|helped|helping|response)\b",
    r"\b(?:mood-enhancing|antidepressant|anti-inflammatory|antihyperalgesic|analgesic|"
    r"pain-relieving|pain relieving)\b",
    r"\b(?:shows?|showed|shown|holds?|has shown) (?:significant |great |some |early )?promise\b",
    r"\bpromising (?:treatment|option|alternative|solution|therapy|results?)\b",
    r"\brevolutioni[sz]\w+\b|\bamenable to\b|\brespond(?:s|ed)? (?:well )?to\b",
    r"\b(?:lasting|positive|beneficial|therapeutic|significant|strong) effects? on\b",
    r"\b(?:placebo|sham)\b|\bno (?:significant )?difference\b",
    r"\b(?:feel|notice|see) (?:a|the) difference\b",
    r"\bbreakthroughs? in\b",
    r"\b(?:the )?evidence (?:for|is|was|remains|comes)\b",
    r"\b(?:more|less|as|not more|no more) effective\b|\bworks? (?:better|best|well|as well)\b",
    r"\bthe best (?:way|treatment|option) to\b|\b(?:first-line|recommended first) treatment\b",
    r"\b(?:linked|associated|tied) (?:to|with)\b",
    r"\b(?:shrinks?|extends? survival|survival|milder|less severe)\b",
    r"\b(?:fewer|lower rates? of|more likely to|less likely to)\b",
    r"\b(?:shorten(?:s|ed)?|shorter|fix(?:es|ed)?|reductions?|improvements?|decreases?)\b",
    r"\bmake[s]? (?:no|a|any|little)? ?(?:\w+ )?difference\b",
    r"\b(?:no )?link(?:ed)? between\b",
    r"\b(?:is|are) (?:used|approved|prescribed|licensed) (?:for|to treat|to prevent|in the "
    r"treatment of)\b",
    r"\b(?:no |not )?better than (?:a )?(?:placebo|sham)\b",
    r"\b(?:is|are|be) (?:good|bad|great|beneficial) for (?:your |the )?\w+",
    r"\bfeel(?:s)? (?:much )?(?:better|like (?:themselves|myself|yourself|himself|herself) again)"
    r"\b",
    r"\b(?:increases?|builds?|raises?|boosts?) (?:\w+ ){0,2}(?:strength|muscle|performance|"
    r"endurance|bone density|lean (?:body )?mass|fertility|libido|testosterone)\b",
    r"\b(?:cut down|reduce|stop|come off|taper) (?:on )?(?:their |your )?(?:\w+ )?(?:medications?|"
    r"opioids|painkillers|drugs)\b",
    r"\b(?:flush(?:es)? out|detox\w*|clears? (?:your |the )?skin|(?:more|boosts?) energy)\b",
    r"\b(?:excellent|great|good|amazing|impressive|remarkable|fantastic) results\b",
    r"\bno (?:significant |overall |meaningful |real |clear )?difference\b|\bmatters? (?:more|less) "
    r"than\b|\bswear by\b",
    r"\bcan (?:help )?(?:remove|get rid of)\b",
    # cutting the odds of something, and (negated) doing nothing at all
    r"\bcuts? (?:the |your |their )?(?:chances?|risk|odds|likelihood)\b",
    r"\b(?:do|does|did) (?:absolutely |precisely )?nothing\b",
    r"\b(?:saw|had|showed|reported|experienced) (?:significantly )?(?:higher|greater|lower|bigger|"
    r"larger|smaller|more|less|fewer)\b",
    r"\b(?:a |an )?(?:reasonable|good|sensible|useful|effective) (?:option|choice|alternative)\b",
    r"\b(?:equally|about as|just as) (?:well|effective)\b|\bmatters? (?:just )?as much\b",
)

# Order is priority: when several fire, the first names the claim (docs/claims.md).
CLAIM_TYPE_GROUPS: Mapping[str, tuple[str, ...]] = {
    "cited_source": CITED_SOURCE,
    "safety": SAFETY,
    "prevalence": PREVALENCE,
    "magnitude": MAGNITUDE,
    "duration": DURATION,
    "mechanism": MECHANISM,
    "efficacy": EFFICACY,
}

# The state of the evidence for an effect ("The evidence is modest", "trials have been mixed"):
# an efficacy claim about the section's intervention even when the sentence names none.
EVIDENCE_STATUS: tuple[str, ...] = (
    r"\b(?:evidence|trials?|studies|results|research|data)(?: (?:for|on|about|into) [\w\s-]{1,40}"
    r"?)?"
    r" (?:is|are|was|"
    r"were|has|have|remains?)\s+(?:\w+ly\s+)?(?:been\s+)?(?:\w+ ){0,2}(?:modest|weak(?:er)?|"
    r"strong(?:er)?|limited|mixed|disappointing|inconclusive|positive|negative|small|promising|"
    r"encouraging|robust|conflicting|thin|poor|lacking)\b",
    r"\b(?:little|no|some|good|strong|weak|limited|insufficient) evidence (?:that|for)\b",
    r"\b(?:have|has) not (?:yet )?(?:been )?(?:confirmed|shown|replicated|proven)\b",
    r"\b(?:some|earlier|several|many|other|later) (?:\w+ )?(?:trials|studies) (?:have )?(?:found|"
    r"showed|shown|reported)\b",
    r"\b(?:only|no|few|too few) (?:small,? |uncontrolled,? |proper |good-quality |randomi[sz]ed |clinical "
    r"|"
    r"large )*(?:case series|case reports|trials|studies)\b",
    r"\b(?:done|tested|carried out|conducted|studied) (?:only )?in (?:animals|mice|rats|cells|"
    r"test tubes|the lab)\b",
    r"\bno (?:significant |overall |meaningful |real |clear )?difference (?:in [\w\s]{2,40}? )?between "
    r"the (?:two |three )?groups\b",
)

# Unnamed appeals to evidence: not a citation, but they mark the sentence as a claim.
EVIDENCE_APPEAL: tuple[str, ...] = (
    r"\b(?:research|studies|evidence|trials|data|science) (?:has |have )?(?:shows?|shown|"
    r"indicates?|indicated|suggests?|suggested|found|finds|demonstrates?|demonstrated|confirms?|"
    r"proves?|proven|supports?)\b",
    r"\b(?:has|have) (?:been )?(?:shown|found|proven|demonstrated|reported) (?:to|that|in)\b",
    r"\bclinical (?:trials|studies|settings|research)\b",
    r"\b(?:patients|users|people|participants) (?:have )?(?:reported|report|experience[sd]?)\b",
)

# Health anchor: without one of these (or a synonym-list entity) a sentence is not about health.
HEALTH_ANCHOR: tuple[str, ...] = (
    r"\b(?:therap(?:y|ies|eutic)|treatments?|drugs?|medications?|medicines?|doses?|dosage|"
    r"supplements?|infusions?|injections?|vaccines?|pills?|remed(?:y|ies))\b",
    r"\b(?:patients?|symptoms?|clinical|diseases?|disorders?|conditions?|syndromes?|illness|"
    r"pain|brain|body|nerves?|nervous|receptors?|health|healthy|medical|infections?|immune|"
    r"inflammat\w+|blood|liver|kidneys?|bladder|heart|gut|sleep|mood|mental|pregnancy|"
    r"randomi[sz]ed|trials?|placebo|side effects?|sick|asleep|study|studies|research|"
    r"researchers|tablets?|capsules?|pills?|doses?|nasal|allerg\w*|vaccin\w*|virus\w*|viral|"
    r"bacteria\w*|cells?|tumou?rs?|hormones?|enzymes?|immun\w*|diet\w*|calories|weight|"
    r"pregnan\w*|hospital\w*|survival|deaths?|die|symptoms?|fever|flu|nutrients?|vitamins?|"
    r"fatigue|energi[sz]ed|hangover|skin|uv|sunscreen|spf|muscles?|joints?|knees?|bones?|"
    r"cartilage|toxins|urine|stools?|snoring|apn(?:o)?ea|breath\w*|airways?|nerves?|spine|"
    r"rash|infection|kills?|killed|fatal|deadly|lethal)\b",
    r"\b\w+(?:itis|osis|emia|aemia|algia|pathy|plasia|oma)\b",
    r"\b\d[\d,.]*(?: million| thousand)? (?:confirmed |new |reported |diagnosed )?cases\b",
    # anatomy: a sentence about an organ or body part is about health ("Ear wax build-up
    # affects around one in ten adults", "Splints keep your wrist straight…")
    r"\b(?:ears?|eardrums?|eyes?|eyesight|retina|teeth|tooth|gums?|jaw|tongue|throat|tonsils|"
    r"nose|sinus(?:es)?|lungs?|chest|stomach|bowels?|intestines?|colon|rectum|anus|bottom|"
    r"prostate|womb|uterus|ovar(?:y|ies)|cervix|vagina|penis|testicles?|breasts?|thyroid|"
    r"pancreas|gallbladder|spleen|arter(?:y|ies)|veins?|scalp|hair follicles?|nails|wrists?|"
    r"ankles?|hips?|shoulders?|elbows?|neck|tendons?|ligaments?|spinal|pelvi[cs]|bladder)\b",
    # everyday ailments and the creatures that cause them ("threadworms are extremely common
    # in young children", "a stomach ache")
    r"\b(?:\w*aches?|aching|sore(?:ness)?|itch(?:y|ing|iness)?|cramps?|nausea|vomiting|"
    r"dizz\w+|constipat\w+|diarrh\w+|bloat\w*|cough\w*|colds?|sniffles|wheez\w+|swelling|"
    r"bruis\w+|wounds?|ulcers?|scars?|blisters?|warts?|acne|spots|worms?|threadworms?|lice|"
    r"nits|parasites?|germs?|fungal|fungus|yeast|earwax|wax build-up)\b",
)

# --------------------------------------------------------------------------------------------
# Plainly worded scientific assertions
# --------------------------------------------------------------------------------------------

# A relation between two biomedical things, as papers and fact-checking data sets word it
# ("Activation of PPM1D enhances p53 function", "Cnn1 recruitment varies with cell cycle
# timing", "X is required for T cell tolerance"). Blogs rarely write this way; such a sentence
# is a testable assertion whatever the claim model learned from blog texts (classify.py).
SCIENTIFIC_RELATION: tuple[str, ...] = (
    r"\b(?:enhanc|inhibit|promot|suppress|regulat|mediat|induc|activat|repress|impair|stimulat|"
    r"attenuat|abolish|potentiat|antagoni[sz]|recruit|phosphorylat|ubiquitinat|acetylat|methylat|"
    r"degrad|stabili[sz]|destabili[sz]|upregulat|downregulat|modulat|exacerbat|ameliorat|"
    r"accelerat|facilitat|disrupt|restor|rescu|elevat|diminish|abrogat|antagoniz|predict|"
    r"correlat|confer|encod|sequester|cleav|cataly[sz]|localiz|interact|contribut|deplet|"
    r"prolong|shorten|worsen|alleviat|trigger|caus|reduc|increas|decreas|lower|rais|improv|"
    r"prevent|protect|block|limit|delay|alter|affect|influenc|determin|driv|shap|control|"
    r"express|produc|secret|releas|inactivat|silenc|bind|target|lack|requir|associat|link|"
    r"differ|vari|exceed|outperform|underli|precede|follow|accompan|coincid)"
    r"(?:e|es|ed|s|ies|ied|y)?\b",
    r"\b(?:is|are|was|were|be|been|becomes?) (?:not )?(?:required|necessary|essential|sufficient|"
    r"dispensable|responsible|important|critical|crucial|involved|implicated|detected|found|"
    r"present|absent|expressed|enriched|elevated|increased|decreased|reduced|higher|lower|greater|"
    r"less|more|similar|comparable|unchanged|independent|dependent|associated|correlated|linked|"
    r"members?|located|localized|conserved|mutated|deleted|amplified|overexpressed|effective|"
    r"ineffective|safe|toxic|protective|harmful|beneficial|common|rare|frequent|prevalent|"
    r"a (?:marker|risk factor|predictor|cause|consequence|feature|hallmark|target|component|"
    r"substrate|mediator|regulator|determinant))\b",
    r"\b(?:plays?|played|has|have|had) (?:a |an |no )?(?:\w+ )?(?:role|effect|impact|influence|"
    r"function|association)\b",
    r"\b(?:depends?|relies?|acts?) (?:on|upon|as)\b|\bleads? to\b|\bresults? in\b",
    # any finite verb after the subject: research prose states relations with many verbs
    # ("DMS3 protein enables Pol V transcription"); the research vocabulary required beside it
    # keeps lay sentences out
    r"\b(?:is|are|was|were|has|have|had|does|do|did|can|cannot|could|may|might|shows?|showed|"
    r"enables?|allows?|needs?|uses?|makes?|gives?|takes?|gets?|becomes?|became|seems?|appears?|"
    r"occurs?|happens?|fails?|tends?|helps?|works?|acts?|plays?|serves?|means?|involves?|"
    r"includes?|represents?|reflects?|indicates?|suggests?|demonstrates?|reveals?|confirms?|"
    r"supports?|explains?|mimics?|resembles?|matches?|outweighs?|exceeds?)\b",
    # research prose has many more verbs ("IFIT1 speeds viral replication", "Pyridostatin
    # deregulates G2/M progression"): a lower-case word in -s or -ed after the first word
    r"(?<=\w )(?-i:[a-z]{3,}(?:[^s]s|ed))\b",
    r"\b(?:is|are|was|were) (?:\w+ )?(?:due|attributable|related|equivalent|superior|inferior|"
    r"similar|sensitive|resistant|susceptible|prone|toxic|lethal) to\b|\baccounts? for\b|"
    r"\bconstitut(?:e|es|ed)\b|\bexhibit(?:s|ed)?\b|\bconsists? of\b|\bremains?\b|"
    r"\b(?:contains?|harbou?rs?|carr(?:y|ies)|possess(?:es)?|undergo(?:es)?|develops?|survives?|"
    r"persists?|occurs?|arises?|emerges?|generates?|expands?|maintains?|forms?|yields?|"
    r"converts?|transforms?|migrates?|accumulates?|aggregates?|spreads?|transmits?|kills?)\b",
    r"\b(?:is|are|was|were|can be|cannot be) (?:\w+ )?(?:diagnosed|admitted|infected|exposed|"
    r"affected|derived|generated|manipulated|converted|reprogrammed|cultured|isolated|"
    r"identified|observed|measured|caused|explained|determined|predicted|controlled|modified)\b",
    r"\b(?:is|are|was|were) (?:a|an|the|one of the) (?:\w+[ -]){0,4}?(?:markers?|chaperones?|"
    r"components?|subunits?|members?|targets?|substrates?|ligands?|inhibitors?|activators?|"
    r"regulators?|causes?|predictors?|risk factors?|biomarkers?|sources?|precursors?|"
    r"products?|forms?|types?|subtypes?|isoforms?|homologs?|parts?|drivers?|suppressors?|"
    r"sensors?|reservoirs?|hosts?|vectors?|carriers?|determinants?|consequences?|features?|"
    r"hallmarks?|mediators?|effectors?|agonists?|antagonists?|enzymes?|kinases?|receptors?|"
    r"proteins?|genes?|hormones?|factors?|signals?|structures?|complex(?:es)?|leading cause)\b",
)

# Statistical findings in lay words ("Women with a lower birth weight are more likely to develop
# breast cancer", "There is a positive correlation between hip fractures and statin use"): a
# scientific assertion when the sentence is about health at all (classify.py).
STATISTICAL_RELATION: tuple[str, ...] = (
    r"\b(?:is|are|was|were) (?:\w+ )?(?:more|less) likely (?:to|than)\b",
    r"\b(?:is|are|was|were) (?:\w+ )?(?:more|less) (?:susceptible|prone|vulnerable) to\b",
    r"\b(?:positive|negative|inverse|no|significant|strong|weak) (?:correlation|association|"
    r"relationship|relation)s?\b|\b(?:a |no )?relation between\b",
    r"\b(?:correlat\w+|associat\w+) (?:with|between)\b",
    r"\b(?:higher|lower|increased|decreased|reduced|elevated|greater) (?:[\w-]+ (?:and )?){0,3}?"
    r"(?:rates?|risks?|incidence|odds|levels?|numbers?|frequency|mortality|chances?|prevalence)\b",
    r"\b(?:rates?|risks?|incidence|levels?|odds) (?:is|are|was|were) (?:\w+ )?(?:higher|lower|"
    r"greater|increased|decreased|reduced)\b",
    r"\b(?:is|are|was|were) (?:not )?(?:in)?(?:effective|successful|superior|inferior|accurate|"
    r"inaccurate|biased) (?:at|in|for|to|than)\b",
    r"\b(?:decreases?|increases?|raises?|lowers?|reduces?|improves?|worsens?|affects?|effects?) "
    r"(?:the )?(?:life quality|quality of life|rates?|risks?|number|chances?|odds|incidence|"
    r"survival|mortality|birth weight|life expectancy)\b",
    r"\b(?:cases|deaths) of\b.*\b(?:in|worldwide|per year|each year)\b",
)

# The vocabulary of research, not of lay health writing: gene and protein symbols, molecular and
# cell biology, model organisms, epidemiology. A lay sentence ("Scabies is a skin condition
# caused by tiny mites", "Each gummy contains 500 mg of vitamin B12") does not have it; a
# finding as a paper or a fact-checking data set words it does.
BIOMEDICAL_ANCHOR: tuple[str, ...] = (
    r"(?-i:\b(?=[A-Z0-9]*[0-9])(?=[A-Z0-9]*[A-Z][0-9]*[A-Z])[A-Z][A-Z0-9]{1,7}[a-z]?\b)",  # PPM1D, HDAC4, CD4
    r"(?-i:\b[A-Z]{2,6}-[0-9]{1,3}[A-Za-z]?\b)",                      # IL-6, TLR-4, COX-2
    r"(?-i:\b[A-Z][a-z]{1,4}[0-9]{1,3}[a-z]?p?\b)",                   # Cnn1, Pif1p, Sox2
    r"(?-i:\bp[0-9]{2,3}\b)|(?-i:\b[A-Z][A-Za-z]{1,5}(?= (?:gene|protein|expression|activity|"
    r"signal(?:l)?ing|pathway|mutation|deficiency|knockout|promoter|binding|inhibition)))",
    r"\b(?:genes?|genetic|genom\w*|proteins?|peptides?|[mt]?RNAs?|mi?RNAs?|DNA|transcriptom\w*|"
    r"replicat\w*|gene expression|expressed|mutat\w*|mutants?|knock(?:out|down|-in)|alleles?|"
    r"polymorphisms?|chromatin|histones?|methylation|epigenetic\w*|kinases?|phosphatases?|"
    r"ligands?|antibod(?:y|ies)|antigens?|cytokines?|chemokines?|receptors?|signal(?:l)?ing "
    r"pathways?|metabolites?|mitochondri\w+|organelles?|vesicles?|nucle(?:us|i)|"
    r"cytoplasm\w*|ribosom\w*|telomer\w*|centromer\w*|chromosom\w*|plasmids?|promoters?|"
    r"embryo\w*|stem cells?|progenitors?|fibroblasts?|neurons?|neuronal|synap\w+|"
    r"lymphocytes?|macrophages?|monocytes?|neutrophils?|platelets?|erythrocytes?|"
    r"(?:T|B|NK|dendritic|beta|tumou?r|cancer|epithelial|endothelial|germ|somatic|host) cells?|"
    r"carcinomas?|lymphomas?|leukemi\w+|metasta\w+|oncogen\w*|apoptosis|autophagy|"
    r"phosphorylation|transcription|translation|ubiquitin\w*|proteasom\w*|homeosta\w+|"
    r"pathogen\w*|microbio\w+|saccharomyces|drosophila|zebrafish|xenopus|elegans|"
    r"mice|murine|mouse|rats?|rodents?|in vivo|in vitro|knockout|transgenic|cohort|incidence|"
    r"prevalence|mortality|morbidity|odds|hazard|placebo|meta-analys[ie]s|"
    r"hippocamp\w+|cortical|thermogen\w+|endoplasmic|reticulum|insulin resistance|glycemic|"
    r"adipo\w+|hepatocytes?|cardiomyocytes?|osteo\w+|myocardial|infarction|sepsis|"
    r"microglia|astrocytes?|inflammasome|interleukin\w*|interferon\w*|immunoglobulin\w*|"
    r"vaccinat\w+|antiretroviral|chemotherapy|radiotherapy|immunotherapy|biomarkers?|"
    r"(?:gene |protein |mRNA )?expression|cellular|strains?|genotypes?|phenotypes?|"
    r"enzymatic|ischa?emi\w+|reperfusion|carcinogenesis|angiogenesis|neurogenesis|"
    r"pathogenesis|senescence|proliferation|differentiation|invasion|secretion|"
    r"uptake|clearance|bioavailability|pharmacokinetic\w*|efficacy|endpoints?|"
    r"hazard ratios?|odds ratios?|relative risk|confidence intervals?|statistically|"
    r"antimicrobials?|antibiotic resistance|resistan(?:t|ce) (?:to|strains?)|poisoning|toxicity|"
    r"screening|diagnostic (?:accuracy|yield)|sensitivity and specificity|hypertension|"
    r"circulatory|transplant(?:ation|s)?|prognos\w+|patholog\w+|lesions?|biops(?:y|ies)|"
    r"carcinogen\w*|malignan\w+|chemotherap\w+|dialysis|intensive care|"
    r"perinatal|neonat\w+|gestation\w*|preterm|birth weight|life expectancy|"
    r"disease burden|epidemiolog\w+|cost[- ]effective\w*|quality-adjusted|"
    r"bacterium|viral (?:load|replication)|spores?|pathogenic|"
    r"helicobacter|pylori|chlamydia|trachomatis|tuberculosis|malaria|plasmodium|hiv|"
    r"sars-cov-2|influenza virus|hepatitis [a-e]|cognitive (?:decline|function|impairment)|"
    r"immune (?:cells?|responses?|system)|checkpoints?|microtubules?|polymerase|sarcopenia|"
    r"cardiovascular events?|comorbidit\w+|oocytes?|sperm|hermaphrodites?|myelin|"
    r"action potentials?|oxygen consumption|suicide rates?|miscarriage)\b",
    # disease names of the research register (lay ones such as arthritis are not anchors)
    r"\b\w{4,}(?:osis|emia|aemia|pathy|plasia|penia|omas?)\b",
    # chemical and molecular names by their endings (enzymes, cells, organelles, amines), and
    # the amino acids, transmitters and metabolites papers name
    r"\b(?!(?:disease|release|increase|decrease|phrase|purchase|database|showcase|please|crease|"
    r"erase|chase|suitcase|staircase|briefcase|cease|lease|ease|case|base|vase|awesome|handsome|"
    r"wholesome|lonesome|tiresome|gruesome|troublesome|cumbersome|fearsome|quarrelsome)s?\b)"
    r"[a-z]{3,}(?:ase|cyte|zyme|some|oside|peptide)s?\b",
    r"\b(?:cysteine|homocysteine|serine|glycine|lysine|arginine|glutamine|glutamate|tyrosine|"
    r"histidine|tryptophan|choline|creatine|adenosine|guanine|cytosine|thymine|uracil|"
    r"serotonin|melatonin|acetylcholine|noradrenaline|norepinephrine|epinephrine|cortisol|"
    r"folate|lactate|pyruvate|glycogen|keratin|ferritin|hemoglobin|haemoglobin|"
    r"albumin|fibrinogen|thrombin|prostaglandins?|leukotrienes?|nitric oxide|ATP|"
    r"reactive oxygen species|free radicals|ions?|Ca2\+|calcium signal\w*)\b",
)

# Generic intervention phrase when no synonym-list intervention is named ("infusion therapy").
GENERIC_INTERVENTION = re.compile(
    r"\b(?:(?!(?:and|or|the|a|an|of|with|to|for|in|on|by|as|is|are|was|were|that|this|these|"
    r"those|your|our|their|its|his|her|my|any|some|other|such|than|from|after|before|about|how|"
    r"also|more|most|many|much|current|people|why|what|when|which|who|can|may|will|new)\b)"
    r"[A-Za-z][\w-]+\s+){0,2}?(?:therapy|treatment|infusions?|supplements?|medications?|"
    r"drugs?(?! administration\b)|remedy|remedies|injections?|treatments|(?<!known to )(?<!in )medicines?|vaccines?|"
    r"(?:treatment|management|"
    r"therapy) options?|tablets|pills|capsules|sprays?|drips?|antibiotics|antihistamines|"
    r"steroids|painkillers|surgery|vaccinated|vaccination|fasting|diets?|"
    r"(?:higher|lower|high|low|large|small|single|daily|booster)(?: \d+\s?mg)? doses?|boosters?)\b"
    r"|\b(?:eating|drinking|taking|using|losing|stopping|applying|strengthening|detoxing|"
    r"exercising|walking|smoking|quitting)(?:\s+(?!(?:it|them|this|that|these|those|in|on|at|"
    r"with|for|to|center|centre|care|place|part|time|steps?|advantage|charge|action|note|over|"
    r"up|out|off|is|are|was|were|has|have|can|may|will|and|or|but)\b)[a-z][\w-]+){1,2}"
    r"|\b(?:eat|drink|take|use) (?:more|less|a lot of) [a-z][\w-]+"
    r"|^(?!(?:having|being|living|nothing|something|everything|morning|evening|during|"
    r"according|following|including)\b)[A-Z][a-z]{3,}ing\b(?= (?:\w+ ){0,2}(?:reduces|improves|"
    r"thins|lowers|raises|boosts|helps|cures|prevents|treats|increases|decreases|causes|makes|"
    r"triggers|relieves|resets|strengthens|stops|fixes|works))"
    r"|\b[a-z][\w-]+ (?:juice|tea|extract|oil|capsules|powder|peptides|use|gummies|cleanse)\b"
    # drug-name endings (INN stems): -mab, -pril, -sartan, -statin, -olol, -azole, -cillin, …
    r"|\b[a-z]{3,}(?:mab|pril|sartan|statin|olol|azole|cillin|mycin|cycline|floxacin|tadine|"
    r"tidine|oxetine|triptan|zepam|zolam|afil|parin|gliptin|gliflozin|glutide|tinib|semide|"
    r"thiazide|dronate|setron|profen|coxib|caine|codone|barbital|ectin)\b",
    re.IGNORECASE,
)

# A number, percentage or time quantity: makes a sentence more checkable.
QUANTITY = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|half|twice|"
    r"millions?|thousands?|hundreds?)\b",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# Certainty and polarity
# --------------------------------------------------------------------------------------------

# Hedged wording: possibility, tentative evidence, partial effect.
HEDGE: tuple[str, ...] = (
    r"\b(?:may|might|could)\b",
    r"\bcan\b(?! be (?:administered|given|taken|bought|found|injected))",
    r"\b(?:said|supposed|claimed|reported) to\b|\bpossible\b|\busually\b|\bfrom what i['’]ve read"
    r"\b",
    r"\b(?:we|i|experts|doctors|scientists|researchers) (?:think|believe|suspect)\b",
    # ("more likely", "as likely": a comparison of risks, not a hedge)
    r"\b(?:possibly|potential(?:ly)?|perhaps|(?<!more )(?<!less )(?<!as )likely|unlikely|probably|"
    r"presumably)\b",
    r"\b(?:shows?|showed|shown|has shown|holds?) (?:significant |great |some |early )?promise\b",
    r"\b(?:promising|preliminary|early|emerging|limited|mixed) (?:evidence|results|data|research|"
    r"findings|studies|treatment|option|alternative)\b",
    r"\b(?:suggests?|suggested|indicates?|indicated|appears? to|seems? to|tends? to|"
    r"believed?|thought to|is considered|generally considered|are considered)\b",
    r"\b(?:some|many|most) (?:patients|people|individuals|studies|users|research|customers|"
    r"participants|cases|episodes)\b",
    r"\bin some (?:cases|patients|people|studies)\b",
    r"\b(?:many|some|most) of (?:our|the|my|these|those) (?:patients|clients|customers|people|"
    r"users)\b|\ba small number of\b",
    r"\bmost\b(?! (?:common|effective|important|likely|powerful|abundant|frequent\w*|popular|"
    r"unique|appropriate|significant|severe|serious)\b)",
    r"\b(?:some|many) (?:clients|customers)\b",
    r"\bnot always\b|\boften\b|\bsometimes\b|\btypically\b|\bgenerally\b|\bmore often than not\b",
)

# Absolute wording that overrides hedges: proof, cure, guarantee, universality.
ABSOLUTE_STRONG: tuple[str, ...] = (
    r"\b(?:proven|proves|proof|guarantee[sd]?|guaranteed)\b",
    r"\bcures?\b|\bcured\b",
    r"\b100 ?%|\b(?:always|never|every(?:one| patient| time)|all patients|completely|entirely|"
    r"permanently|permanent|definitely|undoubtedly|certainly|without (?:any )?side effects)\b",
    r"\b(?:the only|miracle|no side effects|zero side effects|totally safe|perfectly safe|"
    r"100% safe|risk-free)\b",
)

# Absolute-leaning wording that yields to a hedge in the same sentence.
ABSOLUTE_WEAK: tuple[str, ...] = (
    r"\blasting\b",
    r"\blong-term (?:pain )?relief\b",
    r"\b(?:eliminates?|eradicates?)\b|\bstops? (?:pain|the pain|symptoms|migraines?)\b",
    r"\broot causes?\b",
)

# What a claim says an intervention does (or is), negated: "does not lower", "won't prevent".
_CLAIM_VERBS = (r"help|work|provide|reduce|relieve|improve|treat|cure|prevent|cause|increase|"
                r"affect|resolve|address|show|lead|offer|benefit|effective|safe|linked|associated|"
                r"better|superior|lasting|significantly|always|lower|raise|shorten|prolong|speed|"
                r"protect|boost|slow|stop|decrease|ease|heal|extend|strengthen|weaken|reverse|"
                r"repair|regenerate|lessen|alleviate|trigger|harm|damage|change|make|give|"
                r"kill|fight|support|restore|promote|enhance|cut|halt|delay")

# Negation of the claim itself (not of a relative clause such as "who have not responded").
NEGATION: tuple[str, ...] = (
    r"\b(?:does|do|did|is|are|was|were|has|have|had|can|could|will|would|may|might|should)\s*"
    r"(?:not|n[’']t)\b(?:\s+\w+){0,2}?\s+(?:" + _CLAIM_VERBS + ")",
    r"\bwon[’']t\b(?:\s+\w+){0,2}?\s+(?:" + _CLAIM_VERBS + ")",
    r"\bnever\s+(?:\w+ly\s+)?(?:" + _CLAIM_VERBS + ")",
    r"\bneither\b.{1,80}\bnor\b",
    r"\b(?:no|little|insufficient|not enough|weak) (?:good |strong |convincing |reliable |"
    r"clinical |scientific )?(?:evidence|proof|benefit|effect|difference|improvement|link|"
    r"association)\b",
    r"\b(?:failed|fails|fail) to\b",
    r"\b(?:ineffective|no better than|not better than|no more effective)\b",
)

# --------------------------------------------------------------------------------------------
# Sentence shapes
# --------------------------------------------------------------------------------------------

# Breadcrumbs and menus: "Home / Supplements / Sleep", "Forum › Treatments › …".
NAVIGATION_LINE = re.compile(r"\s(?:›|»|>|/|\|)\s.*\s(?:›|»|>|/|\|)\s|^[^.!?]{0,80}\s›\s")

# A claim with no subject of its own ("Clinically proven to reduce cramps."): the section's
# intervention is its subject.
SUBJECTLESS_CLAIM = re.compile(
    r"^(?:clinically |scientifically |medically )?(?:proven|shown|tested|designed|formulated) to"
    r"\b",
    re.IGNORECASE,
)

# A speaker or field label before the sentence proper ("Q:", "DR. PATEL:", "Bottom line:").
SPEAKER_LABEL = re.compile(
    # a list of sources is not a speaker: "Sources: Foong SC et al., Cochrane…" is excluded whole
    r"^(?!(?:Sources?|References?|Further reading|Citations?|Bibliography):)"
    r"(?:Q|A|[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,2}|[A-Z][a-z]+(?: [a-z]+){0,2}|"
    r"[\w.@-]{2,30}):\s+(?=\S)"
)

# A list item's number or bullet ("3. Avoid alcohol …", "- Do not lie down …"): read without it,
# so that the advice and instruction rules, anchored at the start, see the sentence itself.
LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*–])\s+(?=[A-Z\"“])")

# An intervention mention that only refers to one named before ("the drug", "this treatment"):
# resolved to that one, not taken for the intervention (extract.py).
GENERIC_REFERENCE = re.compile(
    r"(?:(?:the|this|these|that)\s+)?(?:drugs?|medications?|medicines?|treatments?|therapy|"
    r"therapies)", re.IGNORECASE)

# A leading clause naming something the sentence contrasts with its subject ("Unlike
# paracetamol, ibuprofen reduces inflammation"): the subject is the intervention, and what
# "it" in the next sentence refers to.
CONTRAST_OPENER = re.compile(r"^\s*(?:unlike|compared (?:with|to)|along with|like|besides|"
                             r"apart from|instead of|rather than|as with)\b[^,]{0,80},",
                             re.IGNORECASE)

# Words that refer back to the previous sentence's subject ("It", "These", "The drug").
ANAPHORIC_OPENER = re.compile(
    # "This condition …" refers to a condition, not to the intervention
    r"^(?!(?:this|these|that|such) (?:condition|disease|disorder|syndrome|illness|pain|"
    r"symptoms?)\b)"
    r"(?:[^,]{0,30},\s*|\w+ly\s+)?(?:also,?\s+|but\s+|and\s+)?"
    r"(?:it|its|they|their|this|these|such|he|she|"
    r"the (?:drug|medicine|medication|treatment|therapy|supplement|product|effect|effects|"
    r"spray|injection|infusion|study|trial|review|benefits?|results?)|(?:the |higher |lower |"
    r"larger |smaller |daily )?doses?)\b",
    re.IGNORECASE,
)

# Truncated teaser or excerpt: the sentence ends in an ellipsis.
# Advice that gives its reason as a claim ("Do not drink alcohol while taking co-codamol, as it
# increases drowsiness"): the labelling guidelines label such a sentence by its claim, so the
# reader-advice, recommendation and care-procedure groups ("You'll be screened for TB, because the
# drugs can reactivate it") do not exclude it when the clause this opens carries a
# safety, mechanism, duration, magnitude, prevalence or source cue (classify.py).
MIXED_CLAIM_CLAUSE = re.compile(
    r"(?:,\s*|\s)(?:as|because|since|otherwise|or else)\s+(?P<a>.*)"
    r"|(?:,|;|:|\s-|—)\s*(?:but|and|so|which)\s+(?P<b>.*)", re.IGNORECASE)
# "…can be dangerous, so check with your doctor first": the claim comes before the advice.
CLAIM_BEFORE_ADVICE = re.compile(r"^(?P<claim>.+?),\s*so\s+(?:\w+\s+){0,6}?(?:should|must|need|"
                                 r"please|check|tell|ask|talk|speak|see|avoid|do not|don['’]t)\b",
                                 re.IGNORECASE)
ADVICE_GROUPS: frozenset[str] = frozenset({"reader advice", "recommendation", "care procedure"})

TEASER_END = re.compile(r"(?:…|\.\.\.)\s*$")

# Words allowed in lower case inside a Title Case heading.
HEADING_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into is of on or the to vs via with & your you our its "
    "how what why when can does do are".split()
)


def compile_group(name: str, fragments: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any fragment of a named group.

    Raises ``ValueError`` on an empty group: an empty alternation would match everywhere.
    """
    return re.compile(alternatives(name, fragments), re.IGNORECASE)


@lru_cache(maxsize=None)
def pattern(name: str) -> re.Pattern[str]:
    """The compiled pattern of the group called ``name`` (see ``ALL_GROUPS``)."""
    return compile_group(name, ALL_GROUPS[name])


# Groups that decide only through ``classify.scientific_assertion``, never as features of the
# learned models: the shipped models were trained before they existed, and a new feature name
# would fall into the hashed feature space and shift every sentence's probability.
RULE_ONLY_GROUPS: frozenset[str] = frozenset({"scientific relation", "statistical relation",
                                              "biomedical anchor"})

ALL_GROUPS: Mapping[str, tuple[str, ...]] = {
    **NON_CLAIM_GROUPS,
    **CLAIM_TYPE_GROUPS,
    "evidence appeal": EVIDENCE_APPEAL,
    "scientific relation": SCIENTIFIC_RELATION,
    "statistical relation": STATISTICAL_RELATION,
    "biomedical anchor": BIOMEDICAL_ANCHOR,
    "evidence status": EVIDENCE_STATUS,
    "condition description": CONDITION_DESCRIPTION,
    "health anchor": HEALTH_ANCHOR,
    "hedge": HEDGE,
    "absolute strong": ABSOLUTE_STRONG,
    "absolute weak": ABSOLUTE_WEAK,
    "negation": NEGATION,
}
