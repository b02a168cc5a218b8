"""What only people know: the ``[tool.pitfall.card]`` keys a card asks for, with the question each answers.

``pitfall card`` never invents these. An answer comes from ``[tool.pitfall.card]`` in the project's
pyproject.toml (read when the card is written, so answers can be added after the run) or, failing
that, from the run's recorded config; a missing one is printed as the question, with the key to set.
"""

from __future__ import annotations

from typing import Any

__all__ = ["QUESTIONS", "answers"]

QUESTIONS: dict[str, str] = {
    # model card (Mitchell et al. 2019; Hugging Face model card template)
    "name": "What is the model called?",
    "overview": "What does the model do, in one or two sentences?",
    "owners": "Who developed and maintains the model, and how are they reached?",
    "license": "Under which licence are the model and its card released?",
    "references": "Which papers, repositories or data sets describe or were used to build the model?",
    "citation": "How should the model be cited?",
    "intended_uses": "What is the model for (primary intended uses)?",
    "intended_users": "Who is expected to use it?",
    "out_of_scope": "Which uses is it not meant for?",
    "factors": "Which groups, instruments or environments could change how well it works?",
    "ethical_considerations": "Which risks or harms could its use bring, and how are they mitigated?",
    # datasheet (Gebru et al. 2021)
    "dataset_motivation": "For what purpose was the data set created, and by whom?",
    "dataset_funding": "Who funded the creation of the data set?",
    "collection_process": "How was the data collected, by whom, and over what timeframe?",
    "labelling": "How were the labels produced (instrument, annotators, later catalogue)?",
    "preprocessing": "What cleaning, labelling or transformation was done before these files?",
    "dataset_uses": "What else could the data be used for, and what should it not be used for?",
    "distribution": "How is the data distributed, and under which licence?",
    "maintenance": "Who maintains the data set, and how are errors reported and fixed?",
    # REFORMS (Kapoor et al. 2024) items only people can answer
    "population": "About which population or distribution is the scientific claim made?",
    "population_motivation": "Why this population or distribution?",
    "ml_motivation": "Why use machine learning for this question?",
    "data_link": "Where is the exact version of the data set (link or DOI)?",
    "code_link": "Where is the exact version of the code (link, tag or DOI)?",
    "readme": "Where are the instructions to reproduce the results?",
    "reproduction_script": "Which script reproduces every reported result?",
    "sampling_frame": "From which set or distribution was the data sampled, and how?",
    "dataset_usefulness": "Why is this data set useful for the modelling task?",
    "outcome_definition": "How is the outcome variable defined and measured?",
    "representativeness": "Why is the sampled set representative of the population of the claim?",
    "exclusions": "Were rows excluded, and why?",
    "transformations": "Which transformations lead from the raw data to the model's inputs?",
    "loss_function": "Which loss function was the model trained with?",
    "model_choice": "Why these model types?",
    "model_selection": "How was the reported model chosen among those trained?",
    "hyperparameter_tuning": "How were the hyperparameters tuned, over which values?",
    "feature_legitimacy": "Why is each feature legitimately available at prediction time?",
    "external_validity": "What evidence is there that the result holds outside this data set?",
    "limits": "In which contexts is the result not expected to hold?",
}


def answers(recorded: dict[str, Any] | None, current: dict[str, Any] | None) -> dict[str, Any]:
    """People's answers: the current ``[tool.pitfall.card]`` over the recorded one; unknown keys kept."""
    merged = dict(recorded or {})
    merged.update(current or {})
    if "licence" in merged and "license" not in merged:
        merged["license"] = merged.pop("licence")
    return {k: v for k, v in merged.items() if v not in (None, "", [])}
