"""What every figure of an eval report means: one table, written beside the constants it uses.

Each :class:`Definition` names the summary keys it defines (``"full@{k}"`` stands for
every cut-off); ``report.md`` prints the table as its definitions section, and a test
checks that every figure the report shows is defined here. The thresholds in the words
are the very constants the scoring uses, so the two cannot drift apart.

    >>> definition_of("full@5").term
    'full evidence recall@k'
    >>> "0.8" in definition_of("right").text
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from eval.metrics_retrieval import DEFAULT_MIN_COVERAGE
from eval.scoring import RIGHT_F1, RIGHT_REASON_RECALL, role_words
from eval.summary import ECE_BINS

__all__ = ["DEFINITIONS", "READING", "Definition", "definition_of", "definitions_markdown"]

_COVER = f"{DEFAULT_MIN_COVERAGE:.0%}"


@dataclass(frozen=True)
class Definition:
    """One figure (or family, ``@{k}`` for every cut-off): its name, keys and meaning."""

    term: str
    keys: tuple[str, ...]
    text: str


DEFINITIONS: tuple[Definition, ...] = (
    Definition("questions", ("n", "n_answerable", "n_with_evidence"),
               "Gold questions run. *Answerable* ones have acceptable answers and verbatim "
               "evidence; *to decline* are the unanswerable (on topic, the transcript does not "
               "say) and out-of-scope (not about it) ones."),
    Definition("answer right", ("right",),
               "Share of answerable questions answered right; an abstention is never right. "
               "After normalization (lowercase, no punctuation or articles, number words as "
               "digits) the answer is right when it contains a gold answer as whole words (a "
               "gold answer written \"a; b\" needs every part), or its token F1 against a gold "
               f"answer is ≥ {RIGHT_F1}. A *why* answer is also right when its citations cover "
               f"the gold evidence (citation evidence recall ≥ {RIGHT_REASON_RECALL}). A "
               "*speaker* answer is also right when its first citation names the right side "
               "(every word of a gold answer is in the citation's speaker, or the gold answer "
               f"says {' or '.join(repr(w) for w in role_words('question'))} and the citation "
               "is a question turn), and is right by any rule only when that first citation "
               "overlaps the gold evidence."),
    Definition("full evidence recall@k", ("full@{k}",),
               "Share of questions with evidence whose every evidence string is found in the "
               "top k passages of a call for k. A string is *found* when those passages of its "
               f"document together cover ≥ {_COVER} of its characters (a sentence cut in two by "
               "chunking still counts when both halves come back)."),
    Definition("evidence recall@k", ("recall@{k}",),
               "Mean share of each question's evidence strings found in the top k (same rule); "
               "a multi-hop question with one of two strings found scores 0.5."),
    Definition("MRR", ("mrr",),
               "Mean reciprocal rank: the mean over questions with evidence of 1/r, r the "
               "smallest cut-off at which some evidence string is found (0 when none is found "
               "in the largest k)."),
    Definition("nDCG@k", ("ndcg@{k}",),
               "Graded nDCG: each evidence string is worth an equal share, a passage gains the "
               "share of characters it newly covers; 1.0 when the top k cover all evidence as "
               "early as possible."),
    Definition("context chars@k", ("context@{k}",),
               "Mean characters of the top k passages, overlaps counted twice: what the "
               "answerer (or a generator) would have to read."),
    Definition("token F1 / exact match", ("token_f1", "exact_match"),
               "SQuAD-style, over normalized words, best over the gold answers, on the short "
               "answer (a number, sum or date) when there is one; an abstention scores 0. "
               "Averaged over answerable questions."),
    Definition("answer words (median)", ("words_median", "words_mean"),
               "Words of the answer text, over the questions answered (not declined)."),
    Definition("right answers cited", ("right_cited",),
               "Share of right answers that carry at least one citation."),
    Definition("citations per answer", ("citations_per_answer",),
               "Mean citations of the answers given (declines left out)."),
    Definition("citations verbatim", ("verbatim",),
               "Share of all citations whose quote is exactly the document text at its "
               "start/end offsets."),
    Definition("citation precision", ("citation_precision",),
               "Of all citations on answered answerable questions, the share that overlap a "
               "gold evidence span by at least one character (pooled over citations)."),
    Definition("citation evidence recall", ("citation_recall",),
               f"Mean share of a question's evidence strings covered (≥ {_COVER}) by its "
               "citations together, over answered answerable questions."),
    Definition("abstained: unanswerable/out-of-scope", ("abstain_rate",),
               "Share of the questions to decline that the bot declined (\"the transcript "
               "does not say\")."),
    Definition("abstained: answerable (wrongly)", ("false_abstain_rate",),
               "False abstentions: share of answerable questions the bot declined."),
    Definition("abstention precision / F1", ("abstain_precision", "abstain_f1"),
               "Of the declines, the share that were questions to decline; F1 of that "
               "precision with the abstained share above."),
    Definition("confidence ECE / MCE", ("ece", "mce"),
               f"Expected calibration error over all questions: confidences fall in {ECE_BINS} "
               "equal-width bins; ECE is the sum over bins of (share of questions) × |share "
               "answered right − mean confidence|, MCE the largest such gap. A decline counts "
               "as not right, so a decline should carry a low confidence."),
    Definition("latency p50 / p95", ("latency_p50_ms", "latency_p95_ms"),
               "Wall time of one `bot.ask` in milliseconds, model loaded, each question "
               "embedded afresh; median and 95th percentile. For a `+llm` configuration, "
               "the model's answer included (retrieval, the extractive answer, the model's "
               "reply and checking it)."),
    Definition("model answer shown / fell back to extractive", ("generated", "fallback"),
               "`+llm` configurations only (`qa eval --llm-url`): share of all questions whose "
               "shown answer the model wrote (its own 'cannot tell' included), and share that "
               "got the extractive answer instead because the model failed (down, HTTP error, "
               "invalid reply, timed out) or cited nothing that could be checked."),
    Definition("quotes the model wrote / model quotes verified",
               ("model_quotes", "verified_quotes"),
               "`+llm` only: every quoted passage in the model's replies, fallbacks included, "
               "and the share of them found verbatim in the transcript (the rest were removed "
               "before anything was shown)."),
)


def _pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.escape(key).replace(r"\{k\}", r"\d+") + "$")


def definition_of(key: str) -> Definition:
    """The definition of a summary key such as ``"full@5"``; ``KeyError`` if undefined."""
    for d in DEFINITIONS:
        if any(_pattern(k).match(key) for k in d.keys):
            return d
    raise KeyError(f"no definition of the figure {key!r}; add one to eval.definitions")


# How to read every table, whichever figures it shows.
READING: tuple[str, ...] = (
    "Rates are shares from 0 to 1; – means not measured (no question it applies to).",
    "A figure of one question type applies the same definition to that type's questions "
    "only; where a type is to be declined (unanswerable, out-of-scope), its *right (or "
    "declined)* is the share declined.",
    "Targets: ✅ met, ❌ missed, – not measured; each goal holds for every corpus and split "
    "on its own.",
    "*Worst misses*: answerable questions not answered right and questions to decline that "
    "were answered, the most confident first.",
)


def _also(d: Definition, shown: Iterable[tuple[str, str]]) -> str:
    """The labels the tables give ``d`` that a reader would not find by its term."""
    def plain(label: str) -> bool:  # "context chars@5 (mean)" is plainly "context chars@k"
        return re.sub(r"@\d+", "@k", label.lower()).startswith(d.term.lower())

    labels = dict.fromkeys(label for label, key in shown if not plain(label)
                           and any(_pattern(k).match(key) for k in d.keys))
    return f" (in the tables: {', '.join(repr(x) for x in labels)})" if labels else ""


def definitions_markdown(shown: Iterable[tuple[str, str]] = ()) -> str:
    """The definitions section of ``report.md``: how to read the tables, then one line per
    figure, naming the other labels (``shown``: label, summary key) the tables give it."""
    shown = list(shown)
    return "\n".join([*READING, "", *(f"- **{d.term}**{_also(d, shown)}: {d.text}"
                                      for d in DEFINITIONS)])
