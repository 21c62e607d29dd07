"""The starter question bank: prompts for sense-making, in our own words.

They are built from the questions for each scale and phase of the Learning Cycle (Chapter 7) and
the managing and governing questions (Chapter 8) of *Human Learning Systems: Public Service for
the Real World*, which is licensed CC BY-NC 4.0. None is the book's text: each is paraphrased,
and every question carries the attribution in its `source`. Workspaces edit them freely.

Each row: scale (a short scale key, matched to the workspace's scales by name, or None for any
scale), phase ("" for any), mode, the question, and its four follow-ups (how would we know, who
discusses it, what information helps, in what space).
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

SOURCE = (
    "Paraphrased from Human Learning Systems: Public Service for the Real World "
    "(Lowe, French, Hawkins, Hesselgreaves, Wilson), CC BY-NC 4.0"
)

# A short scale key → the names it matches in a workspace (case-insensitive). The first names
# are systems.models.DEFAULT_SCALES; the others are common alternatives.
SCALE_NAMES: dict[str, tuple[str, ...]] = {
    "person": ("A person's life", "person", "life", "lives", "a person"),
    "team": ("Team", "teams"),
    "organisation": ("Organisation", "organization", "organisations"),
    "place": ("Place", "places"),
    "country": ("Country", "nation", "national"),
}


class Seed(NamedTuple):
    scale: str | None
    phase: str
    mode: str
    text: str
    how_would_we_know: str
    who_discusses: str
    what_information: str
    what_space: str

    @property
    def key(self) -> str:
        """Which starter question a bank question came from (`Question.starter`): its kind and
        first wording. Rewording a starter here makes it a new one, offered to every bank."""
        return hashlib.sha1(f"{self.mode}\n{self.text}".encode()).hexdigest()[:12]  # noqa: S324


L, M, G = "learning", "managing", "governing"

QUESTIONS: list[Seed] = [
    # Learning: understand the system ------------------------------------------------------------
    Seed(
        "person", "understand", L,
        "Who and what helps this person move towards the life they want, and what gets in "
        "the way?",
        "The person tells us in their own words; we notice it in what we see together.",
        "The person, the practitioner alongside them, and anyone they choose to bring.",
        "Their story so far, and the people and services already around them.",
        "A conversation the person is comfortable in, at a time and place of their choosing.",
    ),
    Seed(
        "person", "understand", L,
        "What purpose do the people around this person share, and which values could express it?",
        "People describe the same purpose when asked separately.",
        "The person and those who support them.",
        "What each of them says matters, side by side.",
        "A shared conversation, once trust allows it.",
    ),
    Seed(
        "team", "understand", L,
        "Looking across the lives we work with, what patterns do we see?",
        "The same themes come up in stories from different people and practitioners.",
        "The team, with people who use the service where possible.",
        "Stories logged in our cycles, themes, and barriers raised from the cycles below.",
        "A regular team reflection session.",
    ),
    Seed(
        "organisation", "understand", L,
        "What makes it easier or harder for the teams below us to learn well?",
        "Teams name the conditions that help or hinder them, and we check with them.",
        "Managers and the teams themselves, together.",
        "Barriers raised to us, and what teams say about caseloads, time and space to reflect.",
        "A sense-making session with team representatives.",
    ),
    Seed(
        "place", "understand", L,
        "Which people and organisations shape outcomes in this place, and how do they relate to "
        "each other?",
        "Our map of actors is recognised by those on it, including people who use services.",
        "The member organisations, community groups and people with lived experience.",
        "The system map, the participation register, and patterns from the cycles below.",
        "An open gathering, not only the board table.",
    ),
    Seed(
        "place", "understand", L,
        "What forces in this place help or hinder people, and where do they come from: below, "
        "here, or above?",
        "We can trace a factor to the stories and data that show it.",
        "Stewards with practitioners and partners from several organisations.",
        "Stories, barriers raised from below, and any local data that helps.",
        "A mapping workshop.",
    ),
    Seed(
        "country", "understand", L,
        "What are we learning from the patterns across places?",
        "Similar patterns appear in places that did not compare notes.",
        "National bodies with people from several places.",
        "Summaries and stories shared upward by place cycles.",
        "A cross-place learning exchange.",
    ),
    # Learning: co-design ------------------------------------------------------------------------
    Seed(
        "person", "co_design", L,
        "What do we want to find out together, and what small step could show us?",
        "We can say what we expect to see, and what would surprise us.",
        "The person and the practitioner.",
        "What has been tried before and what others have learnt.",
        "The next regular conversation.",
    ),
    Seed(
        "person", "co_design", L,
        "What will we keep track of, and how will we make sense of it together?",
        "We agree in advance what we will look at and when.",
        "Everyone taking part in the experiment.",
        "A simple record kept as we go: notes, stories, a few numbers if they help.",
        "A short review at an agreed date.",
    ),
    Seed(
        None, "co_design", L,
        "What experiments would change the structures that the cycles below keep running into?",
        "The experiment answers a barrier or pattern that came from below.",
        "Those who hold the structure, with those who raised the barrier.",
        "Barriers and patterns from the cycles below.",
        "A co-design session including people from the cycle that raised it.",
    ),
    Seed(
        None, "co_design", L,
        "What could we try in how we manage, so that the cycles below can learn better?",
        "Teams below tell us it made learning easier, or harder.",
        "Managers together with the teams affected.",
        "What teams say about their conditions for learning.",
        "A management team meeting with team representatives present.",
    ),
    Seed(
        None, "co_design", L,
        "What have other systems at our scale learnt that we could try here?",
        "We can name where the idea came from and what was different there.",
        "Stewards, with peers from the other system where possible.",
        "Linked cycles and what they have shared.",
        "A learning exchange with the other system.",
    ),
    # Learning: experiment -----------------------------------------------------------------------
    Seed(
        "person", "experiment", L,
        "What is the experiment telling us about what helps this person?",
        "The person says what has changed for them.",
        "The person and the practitioner.",
        "Notes and stories gathered during the experiment.",
        "A reflection conversation.",
    ),
    Seed(
        "person", "experiment", L,
        "What can we change ourselves, and what needs a change somewhere bigger than us?",
        "We can say who would have to act for the bigger change to happen.",
        "The practitioner with their team.",
        "What the experiment showed, and the barriers we met.",
        "Team reflection; raise a barrier to the cycle above where needed.",
    ),
    Seed(
        "team", "experiment", L,
        "How do caseloads, time to reflect, and the information we use help or hinder our "
        "learning?",
        "The team can point to moments when these made a difference.",
        "The team and its manager.",
        "Our own account of the last few weeks.",
        "A team reflection session.",
    ),
    Seed(
        "place", "experiment", L,
        "How could commissioning and funding reward learning and working together?",
        "Providers say they can share failures without risking their funding.",
        "Commissioners, funders and providers together.",
        "Current contracts and how they shape behaviour.",
        "A joint session of commissioners and providers.",
    ),
    Seed(
        "place", "experiment", L,
        "Which roles or voices are missing from this place's learning?",
        "The participation register shows who is invited, who takes part, who is heard.",
        "Stewards and community partners.",
        "The participation register and who came to recent sessions.",
        "A steward check-in.",
    ),
    Seed(
        "place", "experiment", L,
        "How will we decide together where resources go as we learn?",
        "Those affected recognise the decisions as fair and understood.",
        "Member organisations and people affected by the decisions.",
        "What the experiments are showing, and what resources there are.",
        "A shared decision-making forum.",
    ),
    Seed(
        "country", "experiment", L,
        "What skills and support do places need to learn well, and how can they get them?",
        "Places tell us what support made a difference.",
        "National bodies, learning partners and places.",
        "What places report about their learning infrastructure.",
        "A cross-place learning exchange.",
    ),
    # Learning: embed ----------------------------------------------------------------------------
    Seed(
        "person", "embed", L,
        "What will we keep doing differently, and who else should hear about it?",
        "The change shows in how we work, not only in what we say.",
        "The person and the practitioner, then the team.",
        "What the experiment showed.",
        "A team meeting or a story shared in the cycle.",
    ),
    Seed(
        None, "embed", L,
        "Who needs to hear that a larger system must change, and how will we tell them?",
        "The barrier has reached the cycle that can change it, and they have answered.",
        "Stewards of this cycle and of the cycle above.",
        "Barriers raised, and the answers they received.",
        "A session with the receiving cycle.",
    ),
    Seed(
        "place", "embed", L,
        "Which structures and processes here are getting in the way of learning, and how could "
        "we take them down or repurpose them?",
        "We can name the structure and what it makes people do.",
        "Stewards with those who own the structure.",
        "Barriers raised, and stories of what the structure does.",
        "A governance meeting of the place cycle.",
    ),
    Seed(
        "country", "embed", L,
        "How would funding and oversight need to change for places to work as learning systems?",
        "Places say oversight helps their learning rather than distorting it.",
        "National bodies with places.",
        "What places report about reporting burdens and funding rules.",
        "A national learning forum.",
    ),
    # Managing -----------------------------------------------------------------------------------
    Seed(
        "person", "", M,
        "How much time will this cycle need from us, and can we give it?",
        "We can put the time in the diary and keep it.",
        "The practitioner and their manager.",
        "Current commitments and caseloads.",
        "Supervision.",
    ),
    Seed(
        None, "", M,
        "What resources does this cycle need, and where will they come from?",
        "We can name each resource and who provides it.",
        "Stewards and those who hold budgets.",
        "What the cycle has needed so far.",
        "A planning conversation.",
    ),
    Seed(
        None, "", M,
        "What information do we need, and how will we reflect on it together?",
        "People use the information in sessions, not only collect it.",
        "Everyone taking part in the cycle.",
        "What we already collect, and what is missing.",
        "A regular sense-making session.",
    ),
    Seed(
        None, "", M,
        "How are we growing a culture where people can talk about mistakes and learn from them?",
        "People share what did not work, and nothing bad happens to them for it.",
        "Managers and teams together.",
        "Stories of experiments that stopped, and how they were received.",
        "Team reflection and management meetings.",
    ),
    Seed(
        "place", "", M,
        "How will we build enough trust between organisations to learn together?",
        "Organisations share data and failures with each other.",
        "Member organisations.",
        "What has helped or hurt trust so far.",
        "Joint sessions across organisations.",
    ),
    Seed(
        "place", "", M,
        "Which shared principles will we govern ourselves by?",
        "Member organisations have signed the charter and refer to it when deciding.",
        "Member organisations and stewards.",
        "The current charter and how it has been lived.",
        "The place cycle's governance meeting.",
    ),
    # Governing ----------------------------------------------------------------------------------
    Seed(
        None, "", G,
        "Is this learning cycle working the way we hoped?",
        "We can point to what we learnt and what changed because of it.",
        "Everyone taking part in the cycle, and those it answers to.",
        "The cycle's timeline, sessions held and experiments run.",
        "A periodic review session.",
    ),
    Seed(
        None, "", G,
        "Is our learning helping us achieve our purpose? How do we know?",
        "People served tell us things are changing in ways that matter to them.",
        "The cycle with people it serves.",
        "Stories, experiment results and themes.",
        "A reflection session on purpose.",
    ),
    Seed(
        None, "", G,
        "To whom do we give an account of this cycle's learning, and how?",
        "Those we answer to receive our account and respond to it.",
        "Stewards and those the cycle is accountable to.",
        "A learning report drawn from the cycle.",
        "The accountability forum agreed in the set-up.",
    ),
    Seed(
        None, "", G,
        "Who is taking part in this learning, and who is not?",
        "The participation register shows who is heard, not only who is invited.",
        "Stewards with community partners.",
        "The participation register and session attendance.",
        "A steward check-in.",
    ),
    Seed(
        "organisation", "", G,
        "Is what we learn changing practice, and is changed practice changing our "
        "infrastructure?",
        "We can trace a change in a process or system back to something learnt.",
        "Managers and teams.",
        "Embedded changes and barriers answered.",
        "A management review.",
    ),
    Seed(
        "organisation", "", G,
        "How do we hold one another to account for taking part well in this learning?",
        "People agree what taking part well means and say when it slips.",
        "Everyone in the cycle.",
        "Our shared principles and how sessions have gone.",
        "A reflection on how we work together.",
    ),
    Seed(
        "place", "", G,
        "Who acts as steward of this system, and to whom do they answer?",
        "Steward roles are written down, with a mandate and a review date.",
        "Member organisations and the stewards.",
        "The steward roles recorded in the set-up.",
        "The place cycle's governance meeting.",
    ),
    Seed(
        "place", "", G,
        "Who decides what good learning practice looks like here?",
        "The way decisions are made is written down and those affected agree with it.",
        "Member organisations, stewards and people with lived experience.",
        "The charter and how decisions have been made so far.",
        "A governance meeting open to those affected.",
    ),
    # Managing and governing at every scale (added with the method guides) ---------------------
    Seed(
        "person", "", M,
        "When will we stop to make sense of what we notice with this person, and who joins us?",
        "The reflection happens when we said it would, and the person takes part if they wish.",
        "The practitioner, the person, and a colleague or supervisor.",
        "What the person has told us, and what we noticed since we last reflected.",
        "Supervision, or a short conversation with the person.",
    ),
    Seed(
        "person", "", G,
        "Is the person's own view shaping this cycle, and what would tell us it is not?",
        "The person recognises their words in what we wrote and in what we decided.",
        "The person and the practitioner, with the manager when something needs to change.",
        "The person's own account next to ours.",
        "A review conversation held with the person, not about them.",
    ),
    Seed(
        "team", "", M,
        "How much time do we give to learning together, and what will we stop doing to make room "
        "for it?",
        "The time is in everyone's diary and the stop-doing list is kept, not just written.",
        "The team and its manager.",
        "How we spend a typical week, and what we do only because it has always been done.",
        "A team meeting given over to planning how we learn.",
    ),
    Seed(
        "team", "co_design", M,
        "Who needs to be alongside us to design this well, and how will we make it safe for them "
        "to say what they think?",
        "People who use the service and colleagues from other teams shape the design, and we "
        "can show where.",
        "The team with people who use the service and partners the design touches.",
        "What we learnt while understanding the system, in the words of those who told us.",
        "A co-design workshop at a time and place that suits those invited.",
    ),
    Seed(
        "team", "experiment", M,
        "How do we make it safe to try something that may not work, and to say so when it "
        "does not?",
        "Experiments that stopped are talked about as openly as those that carried on.",
        "The team and its manager.",
        "Our running experiments, their predictions and what surprised us.",
        "A regular experiment check-in.",
    ),
    Seed(
        "team", "", G,
        "Are we learning the way we agreed to, and are the lessons changing what we do?",
        "We can name something we do differently because of what we learnt, and when it "
        "started.",
        "The team, and whoever it gives an account to.",
        "The cycle's timeline, ended experiments and what we embedded.",
        "A periodic review of the cycle.",
    ),
    Seed(
        "team", "embed", G,
        "What does the organisation need to change so that what we learnt can last, and who "
        "will ask for it?",
        "A barrier we raised is answered, or we know who is working on it.",
        "The team and the managers of the cycle above.",
        "Barriers raised, their answers, and what we embedded.",
        "A conversation with the cycle above, in its sense-making session.",
    ),
    Seed(
        "organisation", "", M,
        "Which of our reports, targets or processes get in the way of teams learning, and what "
        "could we take away?",
        "Teams tell us a burden has gone, and their time for learning grows.",
        "Managers with the teams, and whoever owns the process.",
        "Barriers raised by teams, and the time spent on reporting.",
        "A management meeting that teams are invited to.",
    ),
    Seed(
        "organisation", "experiment", M,
        "How will teams get room to adapt what they do without asking permission for every "
        "change?",
        "Teams start small experiments within agreed limits and tell us what they learnt.",
        "Managers and team leads.",
        "The safe-to-fail limits we have agreed, and how often teams needed more.",
        "Supervision and team reflection.",
    ),
    Seed(
        "place", "", M,
        "Who else shapes outcomes here, and how will we work with them?",
        "Organisations outside the partnership take part in sessions and say it was worth it.",
        "Stewards with community organisations and people with lived experience.",
        "The system map and the participation register.",
        "Open sessions held in community spaces.",
    ),
    Seed(
        "place", "embed", M,
        "How will we grow curiosity about what one part of the place learnt in the others?",
        "Cycles adapt each other's designs because they asked to, not because they were told.",
        "Stewards and the cycles that learnt something worth sharing.",
        "Ended experiments and designs adapted between cycles.",
        "A learning exchange between cycles.",
    ),
    Seed(
        "country", "", M,
        "How do we build enough trust with places for them to tell us what is not working?",
        "Places bring us their failures and barriers, not only their successes.",
        "National bodies with stewards from several places.",
        "Barriers raised by places and how we answered them.",
        "A cross-place learning exchange, hosted in turn by places.",
    ),
    Seed(
        "country", "", M,
        "What do places need from us to learn well: money, time, permission, or rules taken "
        "away?",
        "Funding and guidance give places time for learning, not more to report.",
        "National bodies, funders and places together.",
        "What places say about funding terms and reporting burdens.",
        "A national forum that places help to set the agenda for.",
    ),
    Seed(
        "country", "", G,
        "Who stewards learning across the country, and to whom do they answer?",
        "The steward roles are written down, and places know how to raise a concern about them.",
        "National bodies and representatives of places.",
        "The steward roles and the country cycle's charter.",
        "The country cycle's governance meeting.",
    ),
    Seed(
        "country", "", G,
        "How do places take part in deciding what good learning practice looks like nationally?",
        "Places can point to a national decision they shaped.",
        "National bodies with places and people with lived experience.",
        "How national decisions about learning have been made so far.",
        "A governance meeting open to places.",
    ),
    Seed(
        "country", "embed", G,
        "Which national rules, funding terms or reporting requirements stop places learning, and "
        "how will we change them?",
        "A barrier raised by places is answered by a change in a rule, not only a reply.",
        "National bodies, with the places that raised the barrier.",
        "Barriers raised from places, and what was done about each.",
        "The country cycle's sense-making session.",
    ),
]  # fmt: skip
