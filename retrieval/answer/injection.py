"""Spot document text that tries to instruct the assistant ("ignore previous instructions").

Such sentences are never quoted as answers and are withheld from model prompts; the
rest of the document stays searchable and citable.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|any|"
    r"your|the)\b.{0,30}\b(instructions?|prompts?|rules|directions|context|guidelines)\b",
    r"\byou are (now|no longer)\b",
    r"\b(system|developer) (prompt|message|instructions?)\b",
    r"\b(as an? (ai|assistant|language model))\b.{0,60}\b(must|should|will|always)\b",
    r"\b(assistant|ai|chatbot|language model|llm)s?\b.{0,40}\b(must|should|shall)\b.{0,20}"
    r"\b(always|never|only|instead)?\s*(answer|reply|respond|say|tell|state|output)\b",
    r"\b(answer|reply|respond)\s+(every|all|any)\s+questions?\b",
    r"\bnew instructions?\b",
    r"<\s*/?\s*(system|instructions?|im_start|im_end)\s*>",
]
_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.DOTALL)


def looks_like_injection(text: str) -> bool:
    """True when the text addresses an AI assistant with instructions."""
    return _RE.search(text) is not None
