"""The tone check: each kind of rudeness in several wordings, gracious drafts
left alone, the figures on real follow-up emails, and the content contract.

The paraphrases here were written for these tests: they show behaviour (none
is training data for anything). How well the check does on real words is
measured on the reported part of ``tests/data/real/followups/`` (written by
others, never used to write rules).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nextround.advice import check_tone as advice_check_tone
from nextround.content import load_content, validate_directory
from nextround.errors import ContentError
from nextround.tone import ToneFlag, check_tone, cue_regex

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("tone_figures",
                                               ROOT / "benchmarks" / "tone_figures.py")
tone_figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tone_figures)


def rules_for(text: str, content) -> set[str]:
    """Every rule a draft trips, whether it leads a flag or rides along."""
    return {rule for flag in check_tone(text, content) for rule in (flag.rule_id, *flag.also)}


# --- each kind of rudeness, in wordings no pattern lists ---------------------------


@pytest.mark.parametrize("draft", [
    "You people are complete morons.",
    "Your recruiter is clueless and arrogant.",
    "What a pathetic excuse for a hiring process.",
    "Honestly your team is a bunch of clowns.",
    "Your company is a disgrace and your managers are liars.",
    "This whole thing was crap from start to finish.",
])
def test_insults_and_contempt_are_flagged(draft, content):
    assert "insult" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "I AM EXTREMELY UPSET ABOUT THIS.",
    "Why would you do this??",
    "I cannot believe it!!",
    "This was NOT what you promised.",
    "Seriously?!",
])
def test_shouting_is_flagged(draft, content):
    assert "shouting" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "Thanks for nothing.",
    "Well, thanks a lot for wasting my afternoon.",
    "Good luck finding someone who puts up with that.",
    "I didn't even want to work there anyway.",
    "Your loss, not mine.",
    "How kind of you to finally reply after a month.",
    "Nice of you to finally let me know.",
])
def test_sarcasm_is_flagged(draft, content):
    assert "sarcasm" in rules_for(draft, content) or "accusing" in rules_for(draft, content), \
        draft


@pytest.mark.parametrize("draft", [
    "I require a full account of how this decision was reached.",
    "I demand to speak with your manager.",
    "You owe me an explanation after three interviews.",
    "I insist that you reconsider.",
    "Explain why I was turned down.",
    "I really deserve a proper answer from you.",
])
def test_demands_are_flagged(draft, content):
    assert "demanding" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "You clearly made a mistake.",
    "Your process is unprofessional.",
    "Frankly I'm shocked at how unprofessional this was.",
    "The interview was biased against older people like me.",
    "You obviously never read my CV.",
    "Your recruiters misled me about the salary.",
    "You wasted my time with four rounds of interviews.",
    "You ghosted me for a month after the final round.",
])
def test_accusations_are_flagged(draft, content):
    assert "accusing" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "I find it hard to believe my qualifications are lower than the other candidates'.",
    "It is difficult to believe that someone with less experience was chosen.",
    "I was honestly the most qualified person you interviewed.",
    "I thought my background was a perfect fit for the role.",
    "Frankly, you missed out on a great employee.",
    "Please reconsider, because I am more qualified than whoever you picked.",
    "I would like to request a reconsideration of my application.",
])
def test_arguing_with_the_decision_is_flagged(draft, content):
    assert "defensive" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "Could you tell me why I wasn't selected?",
    "I'd like to understand the reasons for your decision.",
    "May I ask what the reason was for turning me down?",
    "Please let me know why my application was unsuccessful.",
    "I would appreciate knowing why I didn't get the job.",
    "What was the deciding factor in not choosing me?",
    "I am curious why you went with another candidate.",
    "I would be grateful if you could provide the reasons for the decision.",
    "Please explain to me what the reason was.",
])
def test_asking_why_one_was_not_chosen_is_flagged_in_any_wording(draft, content):
    assert "why_not_hired" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "It was good of you to call, given that you had hired someone in June.",
    "Thank you for the reply, albeit three weeks after you promised one.",
    "How typical to find out from the job board that the post was filled.",
    "How depressing to discover the role went to an intern.",
    'I loved your "open and honest process" of never answering emails.',
])
def test_sarcasm_in_polite_words_is_flagged(draft, content):
    assert "sarcasm" in rules_for(draft, content), draft


@pytest.mark.parametrize("draft", [
    "You had evidently settled on someone before the first round.",
    "Did you even open my portfolio?",
    "Why would you treat applicants so cruelly?",
    "You refused to answer a single question about pay.",
    "The panel had already decided before I arrived.",
    "Is this how you treat people who give up a day for you?",
])
def test_blame_and_hostile_questions_to_the_reader_are_flagged(draft, content):
    assert "accusing" in rules_for(draft, content), draft


#: Kinds the check missed on real follow-ups, in words written here: claiming
#: to have met every requirement, contempt just under VADER's strong line,
#: mock honour and mock sympathy, being let down, and threats.
@pytest.mark.parametrize(("draft", "rule"), [
    ("I ticked every box in your advert, so this makes no sense.", "defensive"),
    ("But I met everything the posting listed!", "defensive"),
    ("The job description said three years and I have four.", "defensive"),
    ("You have missed out on the perfect fit for this role.", "defensive"),
    ("I despise these cheerful rejection emails.", "insult"),
    ("Piss off with your talent pool.", "insult"),
    ("You should feel flattered that I applied at all.", "sarcasm"),
    ("So sorry you had such a hard time choosing between us wonderful people.", "sarcasm"),
    ("You brushed me off after three interviews.", "accusing"),
    ("Expect to hear from my lawyer about this process.", "accusing"),
])
def test_rudeness_in_other_words_is_flagged(draft, rule, content):
    assert rule in rules_for(draft, content), draft


#: Kinds the check missed on the fresh-3 part, each in words written here (none
#: is a sentence of the corpus): asking why in text-speak or other words for
#: "why"; rhetorical questions; a good wish soured by the rejection; one
#: stressed word in capitals against the writer; listing one's own merits;
#: exasperation; scare quotes around the reader's form words.
@pytest.mark.parametrize(("draft", "rule"), [
    ("y tho", "why_not_hired"),
    ("y not me?", "why_not_hired"),
    ("But why", "why_not_hired"),
    ("Why though?", "why_not_hired"),
    ("whyyy", "why_not_hired"),
    ("How come I wasn't picked?", "why_not_hired"),
    ("What gives?", "why_not_hired"),
    ("Doesn't loyalty count for anything these days?", "sarcasm"),
    ("Isn't eight years in the trade enough?", "sarcasm"),
    ("Does experience matter at all anymore?", "sarcasm"),
    ("Do you only hire people with twenty years behind them?", "sarcasm"),
    ("Is anyone ever good enough for your firm?", "sarcasm"),
    ("What more could you want from a junior?", "sarcasm"),
    ("I wish you luck with the launch despite rejecting me.", "sarcasm"),
    ("Good luck with the project, even without me.", "sarcasm"),
    ("I hope your team does well in spite of not hiring me.", "sarcasm"),
    ("I may not have the ten certificates you would REQUIRE, but I'm a wonderful, happy worker.",
     "shouting"),
    ("I did everything you asked and more.", "defensive"),
    ("I followed every instruction in your pack.", "defensive"),
    ("My cover letter was perfect.", "defensive"),
    ("I gave you the perfect answers to every question.", "defensive"),
    ("Enough is enough.", "insult"),
    ("I'm sick and tired of your automated replies.", "insult"),
    ('I filled in every "required" box on your portal twice.', "sarcasm"),
])
def test_rudeness_missed_on_the_fresh3_part_is_flagged_in_other_words(draft, rule, content):
    assert rule in rules_for(draft, content), draft


#: The issue's kinds in more wordings, written here while the fresh-3 classes
#: were studied: a guess at the reason or a comparison with the one hired asks
#: why; a deadline makes a request a demand; blame for how one was treated, an
#: interviewer's conduct, or what should have been done; merits compared with
#: the team; the decision called senseless; sarcastic resignation.
@pytest.mark.parametrize(("draft", "rule"), [
    ("Was it my age?", "why_not_hired"),
    ("Was it because I asked about the salary?", "why_not_hired"),
    ("What did the other applicant have that I didn't?", "why_not_hired"),
    ("Would you mind sharing what tipped the balance?", "why_not_hired"),
    ("Help me understand the decision.", "why_not_hired"),
    ("Just curious what I was missing.", "why_not_hired"),
    ("What exactly was wrong with my presentation?", "what_did_i_do_wrong"),
    ("Send me the scoring sheet by Monday.", "demanding"),
    ("Reply with your reasons within three days.", "demanding"),
    ("I want my interview notes now.", "demanding"),
    ("You should have told me before I flew in.", "accusing"),
    ("I have never been treated so badly by a company.", "accusing"),
    ("Your interviewer was distracted the entire hour.", "accusing"),
    ("The panel could not care less about my answers.", "accusing"),
    ("This is the worst hiring experience of my career.", "insult"),
    ("Your decision makes no sense to anyone who read my CV.", "defensive"),
    ("I have more experience than anyone on your board.", "defensive"),
    ("Another rejection, just what I needed this week.", "sarcasm"),
    ("So six interviews mean nothing to you.", "sarcasm"),
    ("Are you serious?", "sarcasm"),
    ("Congratulations on hiring someone less qualified than me.", "defensive"),
    ("Well done on picking the cheapest option.", "sarcasm"),
    ("Thanks for the copy-paste rejection.", "sarcasm"),
    ("I request a detailed breakdown of my scores.", "why_not_hired"),
    ("I'd like an explanation of the decision, please.", "why_not_hired"),
    ("I am appealing this decision.", "defensive"),
    ("This is discrimination, plain and simple.", "accusing"),
    ("I still think I was the right person for this job.", "defensive"),
    ("Nobody else has my experience with these systems.", "defensive"),
    ("I think it's a mistake not to hire me.", "defensive"),
    ("What a waste of three afternoons.", "accusing"),
])
def test_the_issues_kinds_are_flagged_in_further_wordings(draft, rule, content):
    assert rule in rules_for(draft, content), draft


#: Kinds the check missed on the fresh-4 part (tuning data since), each in words
#: written here (none is a sentence of the corpus): a veiled threat; surprise
#: at the decision set against one's own merits, then a request to be told what
#: happened; sarcasm made of warm words (praise of a talent for harm, thanks
#: for a harm, holding one's breath); reproach told as questions; "you ...,
#: then ignored me".
@pytest.mark.parametrize(("draft", "rule"), [
    ("Do you really want the best people? I'm going to work for one of your competitors.",
     "accusing"),
    ("Mark my words.", "accusing"),
    ("One day you will see.", "accusing"),
    ("You'll be sorry you passed on me.", "accusing"),
    ("I'm stunned I wasn't offered the role, considering my ten years in the field.",
     "defensive"),
    ("Could you tell me what happened?", "why_not_hired"),
    ("I'd like to understand what went on with my application.", "why_not_hired"),
    ("I am truly impressed with your talent for ignoring good applicants.", "sarcasm"),
    ("I marvel at your firm's ability to lose every CV it is sent.", "sarcasm"),
    ("Thanks for binning my application without reading it.", "sarcasm"),
    ("I won't hold my breath for your reply.", "sarcasm"),
    ("I'll hold my breath waiting for your call.", "sarcasm"),
    ("Would it have cost you anything to send two lines?", "accusing"),
    ("Is it really so hard to reply?", "accusing"),
    ("Was it honestly such a hassle to pick up the phone?", "accusing"),
    ("You asked me to fly in for a day of interviews, then ghosted me.", "accusing"),
    # the same classes in further shapes
    ("How hard is it to send a one-line email?", "accusing"),
    ("Is that really too much to ask?", "accusing"),
    ("Would a simple reply have been so difficult?", "accusing"),
    ("Couldn't you have at least called me?", "accusing"),
    ("Was it really necessary to keep me waiting three weeks?", "accusing"),
    ("What exactly was the point of the second interview then?", "accusing"),
    ("I'll be sure to tell my network about how I was treated.", "accusing"),
    ("I'll make sure everyone knows what your company is like.", "accusing"),
    ("I'm sure your CEO would be interested to hear about this.", "accusing"),
    ("With my record of results, I'd like to know what the other person offered.",
     "why_not_hired"),
    ("Congratulations on finding someone cheaper.", "sarcasm"),
    ("I really admire how quickly you forgot about me.", "sarcasm"),
    ("Lovely to hear from you, only six weeks later.", "sarcasm"),
])
def test_rudeness_missed_on_the_fresh4_part_is_flagged_in_other_words(draft, rule, content):
    assert rule in rules_for(draft, content), draft


#: Warm drafts in the shapes of the fresh-4 cues: a portfolio "you'll see", a
#: polite "would it take too much of your time", surprise at getting far,
#: thanks for overlooking a slip, an offer elsewhere, admiration of a real
#: ability, and asking what could be improved.
@pytest.mark.parametrize("draft", [
    "As you'll see from my portfolio, I have kept working on layout.",
    "Would it take too much of your time to share a few thoughts on my interview?",
    "Is it too late to be considered for the other opening?",
    "I was surprised and delighted to reach the final round, given my short time in the field.",
    "Thank you for overlooking my late submission and seeing me anyway.",
    "I have accepted an offer elsewhere, but I hope our paths cross again.",
    "I'll just wait to hear about future roles, and thank you again.",
    "I admire your team's ability to make candidates feel welcome.",
    "I'd like to understand how I could improve for next time, if you have a moment.",
    "Could you let me know if there are other roles coming up?",
    "I'll be glad to see what happens with the project when it launches.",
    "I hope it isn't too much to ask, but could you share one thing I could improve?",
    "Could you tell me whether the role might open again next year?",
    "I'll be sure to tell my friends what a welcoming team you have.",
    "Congratulations on filling the role, and thank you for your time.",
    "I was thrilled to meet the team at last, after so many emails.",
    "It was lovely to hear from you, and I understand the decision.",
    "I fully accept your decision and would love to hear about future roles.",
    "I admire how your team treats candidates, and I'm grateful for your time.",
    "What is the point of contact for future openings?",
    "How hard would it be for me to move into a research role later on?",
])
def test_warm_words_in_the_shapes_of_the_fresh4_cues_pass(draft, content):
    assert check_tone(draft, content) == [], draft


@pytest.mark.parametrize("draft", [
    "You clearly care about your candidates, and it showed.",
    "Is there any advice you could give me on the mistakes in my presentation?",
    "I hate to ask, but could you share any feedback?",
    'Thank you for the "open door" invitation; I will take you up on it.',
    "I would like to explain why I am still keen on the team.",
    "How kind of you to send such thoughtful notes.",
    "Sorry to bother you again, but did my thank-you note reach you?",
    "Thanks a lot for your time and patience.",
    "Thank you so much for the call this morning!",
    "It was kind of you to write, given how many people applied.",
    "I'm not asking for the reason you chose someone else; I'd love to hear how I came across.",
    "It stung that I missed out on the role, and your notes have helped me since.",
    "I'd be lying if I said I wasn't disappointed not to be your final choice.",
    # look-alikes of the cues added after fresh-3
    "Despite not being selected, I enjoyed meeting the team.",
    "I hope to stay in touch, even though I was not selected.",
    "I hope you are doing well despite the busy season.",
    "Would another application count for anything, and could you share any feedback?",
    "Does experience with SAP matter as much as with Oracle for the next opening?",
    "Isn't it wonderful how the team supports new starters?",
    "I hope to reapply when I have enough experience.",
    "Is there anything else I could do to be good enough next time?",
    "I did everything I could to prepare, and I still learned a lot.",
    "Thank you SO much, I LOVED meeting everyone!",
    "I am so grateful for your time and I hope to meet again in the FUTURE.",
    "Thank you for the interview at ACME LOGISTICS, it was wonderful.",
    "What gives you the most energy at work?",
    "That's why I applied.",
    "Best wishes,\nY",
    "Doesn't matter, I'll apply elsewhere and keep an eye on your openings.",
    'I was glad the "optional" questions let me talk about my volunteering.',
    "I can start immediately if another role opens up.",
    "Please send me any feedback by Friday if you can.",
    "Forward my CV to the Leeds office immediately, if that would help.",
    "I want to thank you now for all your help.",
    "Send my thanks to the panel.",
    "I'd love to hear about the team's thinking behind the new product line.",
    "Was it my portfolio that you wanted to see again? I can send it today.",
    "Is that why the team uses Python? I'd love to learn more.",
    "I'd love to know who was chosen so I can congratulate them.",
    "I understand the decision and I'm grateful for your time.",
    "Help me understand how I can improve for next time.",
    "I appreciated the way you treat candidates as people.",
    "I was on my phone with my mum right after, and she said I should be proud.",
    "It made no difference to my enthusiasm; I'd love to apply again.",
    "I request that you keep my CV on file.",
    "Thank you for the explanation of the decision; it helps.",
    "I'd love an explanation of how your graduate scheme works.",
    "Congratulations on finding the right person for the team.",
    "I was the right person to ask about this, I think, so here goes: any feedback?",
    "No one else has been as kind as your team during my search.",
    # blame denied is reassurance
    "It was by no means a waste of time; I learned a lot.",
    "The interview was no waste of time.",
    "It wasn't a waste of time at all.",
])
def test_warm_words_that_look_like_the_new_cues_pass(draft, content):
    assert check_tone(draft, content) == [], draft


# --- classes added after the tuning-2 part (real misses, written here in other words) ---

#: One rude draft per class the check learnt from the tuning-2 part and the
#: fresh-5/fresh-6 misses, in words written here: reproach (what someone else
#: ought to have done about a courtesy or a duty; a courtesy they failed to
#: show; "the least they could do"), lecturing the reader on how to treat
#: candidates, ironic hedges and disclaimers, praise undercut by a reproach,
#: rhetorical questions about their conduct, scare quotes in single quotes, a
#: belief about oneself ("…and thought I was the right candidate"), stress
#: with asterisks, demanding compensation, contempt idioms, claims that they
#: will never find better, suspected bias, and mock thanks for leaving.
@pytest.mark.parametrize(("draft", "rule"), [
    ("It would have been more courteous to tell me before the weekend.", "accusing"),
    ("They should have just cancelled the interview.", "accusing"),
    ("I wish that had been mentioned before the second interview.", "accusing"),
    ("The recruiter never apologised for cancelling twice.", "accusing"),
    ("They did not even say thank you for the presentation I prepared.", "accusing"),
    ("The least they could do was answer my email.", "accusing"),
    ("He made me wait an hour in reception.", "accusing"),
    ("Please consider replying to every candidate you interview.", "accusing"),
    ("May I suggest that you tell applicants when a role is filled?", "accusing"),
    ("Have some respect for the people who apply to you.", "accusing"),
    ("Last time I checked, experience still counted for something.", "sarcasm"),
    ("With all due respect, the person you hired has half my experience.", "sarcasm"),
    ("I applaud your speed, but you should have read my portfolio first.", "sarcasm"),
    ("Did you not think to check my references?", "sarcasm"),
    ("Doesn't a day of interviews warrant a phone call?", "sarcasm"),
    ("Your 'careful review' took four minutes.", "sarcasm"),
    ("I did the research and thought I was the right candidate.", "defensive"),
    ("I guess you *really* didn't want me.", "shouting"),
    ("I want to be compensated for the day I lost.", "demanding"),
    ("No one at your firm gave a shit about my time.", "insult"),
    ("They will never find better than me.", "defensive"),
    ("I can't help thinking it's because I'm a single parent.", "accusing"),
    ("Thank you for allowing me to take my skills elsewhere.", "sarcasm"),
    ("LOL ok thanks", "sarcasm"),
    ("It would have been nice to be told before I travelled three hours.", "accusing"),
    ("Frankly, a company your size should know how to treat applicants.", "accusing"),
    ("Next time, try reading the CV before inviting someone in.", "accusing"),
    ("Perhaps your recruiters should learn some manners.", "accusing"),
    ("Funny how the job was reposted the day after you turned me down.", "sarcasm"),
    ("Good to know my ten years count for so little.", "sarcasm"),
    ("I'll be letting everyone in my network know how this went.", "accusing"),
    ("Do you treat all your candidates like this?", "accusing"),
    ("I hope you realise what you've lost.", "defensive"),
])
def test_the_classes_learnt_from_the_tuning2_part_are_flagged(draft, rule, content):
    assert rule in rules_for(draft, content), draft


#: The gracious look-alike of each class above: the writer's own regret,
#: praise in a "couldn't have been more" or a "should be proud", acceptance,
#: requests that ask for the writer, warm disclaimers, sincere questions and
#: applause, quotes that aim at no one, a belief passed on from the reader,
#: stress in delight, thanks for a refund, hoping they find someone better
#: suited, a guess about one's own nerves, and the event words "reject" and
#: "rejection" in a warm sentence.
@pytest.mark.parametrize("draft", [
    "I should have prepared better for the technical questions.",
    "You couldn't have been more welcoming during the interview.",
    "It would have been a pleasure to work with you.",
    "It would have been lovely to join the team, and I hope our paths cross again.",
    "You could have hired anyone, and I am grateful you considered me.",
    "I wish I had given a clearer answer about budgets.",
    "I understand you couldn't reply to every applicant.",
    "You never need to apologise for the wait; thank you for the news.",
    "The least I can do is thank you for your time.",
    "I know you were busy, so it was kind of you to call me at all.",
    "Please pass my best wishes to the other candidates.",
    "Please share any feedback you have on my interview.",
    "You should be proud of how your team treats candidates.",
    "Please be assured I remain very interested in the company.",
    "No hard feelings at all, and thank you again for the chance!",
    "I applaud the speed of your reply, and thank you for it.",
    "Did you get the references I sent?",
    "Does the role warrant a second round of interviews?",
    "I'm 'officially' a graduate now, so I'd love to stay in touch.",
    "I *really* enjoyed meeting the team, thank you!",
    "Thank you for reimbursing my travel costs so quickly.",
    "I don't give up easily, and I hope to apply again.",
    "I hope you find someone better suited than me, and I wish the team well.",
    "I can't help thinking it's because I was nervous, so any feedback would help.",
    "Reject the rejection and keep going: thank you for the kind note.",
    "Rejections are part of the search; thank you for letting me know.",
    "I was disappointed, but thank you.",
    "Thank you so much for letting me know.",
    "You should have my updated CV in your inbox now.",
    "I would have loved to join the team, but I understand.",
    "I could have explained my project management experience better.",
    "I wish the decision had gone my way, but I respect it.",
    "I wish you had more roles like this one; I'd apply again in a heartbeat.",
    "I wish I had known about the portfolio review sooner, as I would have prepared more.",
    "Nobody could have been more helpful than your coordinator.",
    "They were kind enough to tell me quickly, which I appreciated.",
    "Thank you for being so responsive throughout the process.",
    "I appreciate how respectful and professional everyone was.",
    "Please don't hesitate to contact me if anything changes.",
    "Please consider me for any similar roles in the future.",
    "Please accept my thanks for a very fair process.",
    "I'd be grateful for any feedback you could share with candidates like me.",
    "Your recruiters should be proud of how smoothly the process ran.",
    "Maybe you should know that your team made me feel very welcome.",
    "Next time you're hiring for a designer, I'd love to hear from you.",
    "Treat yourselves to a break after all those interviews!",
    "It was a pleasure, and no hard feelings at all.",
    "Honestly, I could not have asked for a kinder rejection.",
])
def test_gracious_look_alikes_of_the_tuning2_classes_pass(draft, content):
    assert check_tone(draft, content) == [], draft


def test_a_reproach_names_its_sentence_says_why_and_offers_words(content):
    draft = ("Thank you for the call. It would have been more polite to tell me before the "
             "weekend. I wish the team well.")
    [flag] = check_tone(draft, content)
    assert flag.rule_id == "accusing"
    assert flag.sentence == "It would have been more polite to tell me before the weekend."
    assert flag.phrase == flag.sentence and draft[flag.start:flag.end] == flag.sentence
    assert "should have done" in flag.why
    assert check_tone(flag.alternative, content) == []


# --- gracious and firm drafts pass --------------------------------------------------


@pytest.mark.parametrize("draft", [
    "I'd welcome any feedback you can share.",
    "Thank you for letting me know. I'm disappointed, but I understand the decision.",
    "If you have a moment, I would be grateful for any advice on how I could improve.",
    "I understand why you went with someone with more experience in logistics.",
    "I'm glad you thought I was a strong candidate, and I hope we cross paths again.",
    "I don't expect a detailed reply, but a few lines would help me a lot.",
    "Please pass my thanks to the HR team and to the panel.",
    "I still believe I could add a lot to the team, so please keep me in mind.",
    "That is why I applied in the first place: your work on rural clinics.",
    "Thank you for the update! It was a pleasure to meet you all.",
    "While it stings a little, I really enjoyed the process and learned a lot.",
    "I remain very interested in joining NHS Digital, and I'd love to stay in touch.",
    "Could you share any advice on how I could improve?",
    "I would appreciate any feedback you could provide.",
    "Would you offer me feedback on my interview?",
    "I have a BS in biology and five years in the lab.",
    "Thank you, I really appreciate it!!",
    "Thank you for explaining the reasons behind your decision.",
    "I would welcome the chance to learn why the team values that experience so much.",
    "I completely understand why you chose someone with more management experience.",
    "I would appreciate it if you kept me in mind for future roles.",
    "I met everyone on the team and enjoyed every conversation.",
    "I'm sorry to hear the decision was a hard one, and thank you for telling me.",
    "I feel honoured to have reached the final round.",
    "I understand the role needed someone who had met all the criteria already.",
    "I'm sure another opening will come up soon that is a perfect fit for me.",
    "Please keep me in mind for future roles where I would be a perfect match.",
])
def test_gracious_and_firm_drafts_are_never_flagged(draft, content):
    assert check_tone(draft, content) == [], draft


def test_every_shipped_email_and_alternative_passes(content):
    texts = [rule.alternative for rule in content.tone_rules]
    texts += [email.subject + "\n" + email.body for email in content.emails]
    for text in texts:
        assert check_tone(text, content) == [], text


# --- what a flag says ------------------------------------------------------------------


def test_each_flag_names_its_sentence_says_why_and_offers_words(content):
    draft = ("Dear Sam,\nThank you for the call. Your process is a joke and I require an "
             "answer. I hope the team does well.\nAna")
    [flag] = check_tone(draft, content)
    assert isinstance(flag, ToneFlag)
    assert flag.sentence == "Your process is a joke and I require an answer."
    assert draft[flag.start:flag.end] == flag.phrase
    assert flag.phrase in flag.sentence
    assert {flag.rule_id, *flag.also} >= {"insult", "demanding"}
    rule = next(r for r in content.tone_rules if r.id == flag.rule_id)
    assert flag.alternative == rule.alternative
    assert flag.why.startswith(rule.why) and "It also reads as" in flag.why
    for other in flag.also:
        label = next(r.label for r in content.tone_rules if r.id == other)
        assert label in flag.why
    assert check_tone(flag.alternative, content) == []


def test_pattern_flags_mark_the_words_and_name_the_sentence(content):
    draft = "Hi Jo. Honestly, what did I do wrong?? Thanks, Ana"
    [flag] = check_tone(draft, content)
    assert flag.rule_id == "what_did_i_do_wrong"
    assert flag.phrase == "what did I do wrong"
    assert flag.sentence == "Honestly, what did I do wrong??"
    assert flag.also == ("shouting",)
    assert flag.why.endswith("It also reads as shouting.")


def test_positions_hold_with_curly_quotes_and_odd_letters(content):
    draft = "Dear İlker,\nI didn’t even want this job anyway."
    [flag] = check_tone(draft, content)
    assert draft[flag.start:flag.end] == flag.phrase
    assert flag.rule_id == "sarcasm"


def test_one_flag_per_sentence_naming_the_other_rules_it_trips(content):
    [flag] = check_tone("YOU PEOPLE ARE CLUELESS AND YOU OWE ME AN ANSWER!!", content)
    assert {flag.rule_id, *flag.also} == {"insult", "demanding", "shouting"}
    assert len(check_tone("You owe me an answer. Thanks for nothing.", content)) == 2

    [flag] = check_tone("Sorry, that sentence; I require a reply now", content)
    assert flag.rule_id == "demanding"

    [flag] = check_tone("You people are idiots!!", content)
    assert (flag.rule_id, flag.also) == ("insult", ("shouting",))
    assert flag.phrase == "You people are idiots!!"


def test_a_pasted_book_is_read_only_as_far_as_any_email_goes(content):
    from nextround.tone import MAX_READ

    rude = "Your team is a joke. "
    flags = check_tone(rude * (5 * MAX_READ // len(rude)), content)
    assert flags and all(f.end <= MAX_READ for f in flags)
    assert len(flags) == MAX_READ // len(rude)


def test_advice_keeps_the_public_name():
    assert advice_check_tone is check_tone


def test_empty_and_blank_drafts_raise_no_flag(content):
    assert check_tone("", content) == []
    assert check_tone("   \n\n ", content) == []
    assert check_tone(None, content) == []


# --- word lists as counsellors write them ------------------------------------------


def test_cue_words_match_their_usual_endings_and_wildcards():
    regex = cue_regex(["idiot", "discriminat*", "waste of time", "didn't even want"])
    for text in ("idiots", "idiotic", "discriminatory", "a waste-of-time", "didnt even want"):
        assert regex.search(text), text
    for text in ("idiosyncratic", "discreet", "wasted time"):
        assert not regex.search(text), text
    assert cue_regex([]) is None


def _content_copy(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(load_content().directory, copy)
    return copy


def test_a_counsellor_adds_an_insult_without_python(tmp_path):
    copy = _content_copy(tmp_path)
    draft = "Your recruiters are nincompoops."
    before, _ = validate_directory(copy)
    assert "insult" not in rules_for(draft, before)
    path = copy / "tone.yaml"
    path.write_text(path.read_text().replace("words: [moron,", "words: [nincompoop, moron,"))
    after, problems = validate_directory(copy)
    assert problems == []
    assert "insult" in rules_for(draft, after)


def test_an_unknown_cue_list_is_one_clear_line(tmp_path):
    copy = _content_copy(tmp_path)
    path = copy / "tone.yaml"
    path.write_text(path.read_text().replace("      phrases: [thanks for nothing,",
                                             "      phrase: [thanks for nothing,"))
    content, problems = validate_directory(copy)
    assert content is None
    assert len(problems) == 1
    assert re.match(r".*tone\.yaml:\d+: rules\[\d+\].*unknown cue list 'phrase'", problems[0]), \
        problems
    with pytest.raises(ContentError):
        load_content(copy)


# --- loading cost ----------------------------------------------------------------------


def test_the_sentiment_lexicon_loads_only_when_a_draft_is_checked():
    code = ("import sys\nimport nextround.app, nextround.advice, nextround.tone\n"
            "assert 'vaderSentiment' not in sys.modules, 'loaded too early'\n"
            "from nextround.tone import check_tone\n"
            "check_tone('Your team is horrible to candidates.')\n"
            "assert 'vaderSentiment.vaderSentiment' in sys.modules\nprint('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# --- the real corpus ----------------------------------------------------------------------


def test_corpus_is_split_by_source_and_labelled():
    items = tone_figures.load_followups("all")
    assert len(items) >= 40
    hosts = {part: {tone_figures.source_host(i["source"]) for i in items if i["part"] == part}
             for part in tone_figures.PARTS}
    assert not hosts["tuning"] & hosts["test"]
    assert not hosts["fresh"] & (hosts["tuning"] | hosts["test"])
    reported = hosts[tone_figures.REPORTED]
    assert not reported & set().union(*(hosts[p] for p in tone_figures.EARLIER))
    others = set().union(*(hosts[p] for p in tone_figures.PARTS if p != tone_figures.TUNING2))
    assert not hosts[tone_figures.TUNING2] & others
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    for item in items:
        if item["part"] in tone_figures.SPLITS:
            assert tone_figures.part_for(item["source"]) == item["part"], item["id"]
        assert urlsplit(item["source"]).scheme in ("http", "https"), item["id"]
        assert item["label"] in ("rude", "gracious"), item["id"]
        assert item["text"].strip(), item["id"]
        if item["label"] == "rude":
            assert item["kinds"] and set(item["kinds"]) <= set(tone_figures.KINDS), item["id"]
    for part in hosts:
        labels = {i["label"] for i in items if i["part"] == part}
        assert labels == {"rude", "gracious"}, part


def test_the_reported_part_holds_what_was_gathered():
    """Fresh-7 holds 6 rude and 1 gracious emails from 2 sites in no other
    part, as gathered; fresh-6 (12 rude, 8 gracious), fresh-5 (13 rude, 8
    gracious), fresh-4 (17 rude, 3 gracious) and fresh-3 keep theirs too. The
    counts are asserted so a lost item fails here."""
    items = tone_figures.load_followups(tone_figures.REPORTED)
    rude = [i for i in items if i["label"] == "rude"]
    assert len(rude) == 6 and len(items) - len(rude) == 1
    assert len({tone_figures.source_host(i["source"]) for i in items}) == 2
    fresh6 = tone_figures.load_followups(tone_figures.FRESH6)
    assert sum(i["label"] == "rude" for i in fresh6) == 12 and len(fresh6) == 20
    tuning2 = tone_figures.load_followups(tone_figures.TUNING2)
    assert sum(i["label"] == "rude" for i in tuning2) == 30 and len(tuning2) == 45
    assert len({tone_figures.source_host(i["source"]) for i in tuning2}) == 34
    fresh5 = tone_figures.load_followups("fresh5")
    assert sum(i["label"] == "rude" for i in fresh5) == 13 and len(fresh5) == 21
    fresh4 = tone_figures.load_followups("fresh4")
    assert sum(i["label"] == "rude" for i in fresh4) == 17 and len(fresh4) == 20
    assert len(tone_figures.load_followups("fresh3")) == 16


def test_tone_figures_on_the_reported_part():
    """BELOW TARGET. Fresh-7 was measured once, gathered blind and held out
    while the check was built (frozen at 6a4902f): 1 of 6 rude flagged and 1 of
    1 gracious passed (docs/judgement.md keeps the misses: bitter one-liners
    and guesses at bias, from one recruiter's page). These floors hold that
    measurement so a change that reads it worse fails; the issue's targets
    (95% rude, every gracious) stay the aim."""
    figures = tone_figures.measure(tone_figures.REPORTED)
    report = tone_figures.render(figures)
    assert figures["rude"] == 6 and figures["gracious"] == 1, report
    assert figures["rude_flagged"] >= 1, report
    assert figures["gracious_passed"] == 1, report
    assert "Rude follow-ups flagged" in report


def test_tone_figures_on_the_fresh6_part_stay_as_mended():
    """Fresh-6 was measured once (6 of 12 rude flagged, 7 of 8 gracious
    passed); its misses were read since and mended as classes (the word
    "rejection", masked swearing, then reproach, lecturing, ironic hedges and
    "never find better"), so it reads 12 of 12 and 8 of 8: fitted figures,
    held here so a change that loses them fails."""
    figures = tone_figures.measure(tone_figures.FRESH6)
    report = tone_figures.render(figures)
    assert figures["rude_flagged"] == 12, report
    assert figures["gracious_passed"] == 8, report


def test_the_tuning2_part_keeps_what_was_learnt_from_it():
    """Tuning-2 (45 emails from 34 new sites) read 8 of 30 rude flagged and 14 of
    15 gracious passed with the check as it stood when it was gathered: the
    clean figure for the old check. Its misses then shaped the classes above,
    so today's 27 of 30 and 15 of 15 are fitted; the three left are sarcasm
    with no marker (a mock-formal opening, a mock tender refusal, a mock
    translation of the letter). Fresh-5, read since, keeps 13 of 13."""
    figures = tone_figures.measure(tone_figures.TUNING2)
    assert (figures["rude_flagged"], figures["gracious_passed"]) == (27, 15), \
        tone_figures.render(figures)
    fresh5 = tone_figures.measure("fresh5")
    assert (fresh5["rude_flagged"], fresh5["gracious_passed"]) == (13, 8), \
        tone_figures.render(fresh5)


def test_no_gracious_email_in_the_seen_parts_is_flagged():
    for part in tone_figures.SEEN:
        figures = tone_figures.measure(part)
        assert figures["gracious"] and figures["gracious_passed_rate"] == 1.0, \
            tone_figures.render(figures)


def test_tone_targets_hold_on_the_seen_parts():
    figures = tone_figures.measure("seen")
    assert figures["met"], tone_figures.render(figures)


def test_the_figures_script_runs_alone(tmp_path):
    out = tmp_path / "tone.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "tone_figures.py"),
                           "--split", "tuning", "--json", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Tone check on the tuning part" in done.stdout
    assert '"split": "tuning"' in out.read_text()


def test_fresh4_keeps_the_readings_fitted_to_it():
    """Fresh-4 is tuning data: its misses were mended, and it reads 17 of 17
    rude flagged and 3 of 3 gracious passed (fitted figures, no evidence of
    generalising): a guard against a later change losing them."""
    figures = tone_figures.measure("fresh4")
    assert (figures["rude_flagged"], figures["gracious_passed"]) == (17, 3), \
        tone_figures.render(figures)
