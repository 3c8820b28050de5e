"""The glossary (book/glossary.md) defines every term the course needs, and every term it marks.

Read from the Markdown source, no build needed (tests/test_book.py checks the built page). A
```{glossary} block is a list of entries, as Sphinx reads it: one or more term lines at the start
of a line, then the definition, indented. The notebooks mark a term where they introduce it, in
**bold** or as a {term}`...` reference; emphasis is *italic*. The few bold phrases that are not
terms (a number, an instruction in an exercise) are listed in NOT_TERMS. A marked term matches an
entry whatever its case, plural, British or American spelling, hyphens or parenthesis.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
INTRO = ROOT / "book" / "intro.md"
#: The course in reading order, then its appendices.
NOTEBOOKS = (sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
             + sorted((ROOT / "notebooks").glob("A[0-9]_*.ipynb")))

#: Terms the glossary must define, as its entries write them.
REQUIRED_TERMS = [
    # DICOM
    "DICOM", "Preamble", "File meta information", "Data set", "Tag", "Data element", "Keyword",
    "VR", "Value Representation", "VM", "Transfer syntax", "UID", "Patient", "Study", "Series",
    "Instance", "SOP Instance UID", "Study Instance UID", "Series Instance UID", "Modality",
    "Private element", "De-identification", "Basic Application Level Confidentiality Profile",
    "Pixel Representation", "Pixel Padding Value", "Modality LUT", "Rescale slope and intercept",
    "VOI LUT", "LINEAR", "LINEAR_EXACT", "Image Position and Image Orientation", "Gantry tilt",
    # units and windows
    "HU", "Hounsfield unit", "Window center and width", "C/W", "WC/WW", "Window level and width",
    "WL/WW", "Window preset", "Isodense", "Hyperdense", "Hypodense",
    # orientation
    "Radiological convention", "LPS", "Axial", "Coronal", "Sagittal",
    # anatomy
    "Scalp", "Inner table", "Outer table", "Diploë", "Suture", "Skull base", "Petrous bone",
    "Posterior fossa", "Vertex", "Meninges", "Dura", "Arachnoid", "Pia", "Subarachnoid space",
    "Falx cerebri", "Tentorium cerebelli", "Venous sinus", "CSF", "Ventricle", "Sulcus",
    "Sylvian fissure", "Interhemispheric fissure", "Basal cisterns", "Suprasellar cistern",
    "Ambient cistern", "Quadrigeminal cistern", "Prepontine cistern", "Septum pellucidum",
    "Midline", "Choroid plexus", "Pineal gland", "Grey matter", "White matter", "Basal ganglia",
    "Thalamus", "Centrum semiovale", "Convexity", "Potential space", "Foramen of Monro",
    # reading and signs
    "Search pattern", "Mass effect", "Midline shift", "Effacement", "Herniation",
    "Subfalcine herniation", "Uncal herniation", "Tonsillar herniation", "Hydrocephalus",
    "Dependent", "Layering", "Fluid level", "Trapped ventricle",
    # artefacts and mimics
    "Beam hardening", "Partial volume", "Photon starvation", "Calcification", "Dense sinus",
    "Mimic",
    # blood
    "Hyperacute", "Acute", "Subacute", "Chronic", "Haematocrit", "Edema", "Contusion", "Coup",
    "Contrecoup", "Swirl sign", "Amyloid angiopathy", "Vascular malformation",
    # the RSNA subtypes and labels
    "Epidural hemorrhage", "EDH", "Subdural hemorrhage", "SDH", "Subarachnoid hemorrhage", "SAH",
    "Intraventricular hemorrhage", "IVH", "Intraparenchymal hemorrhage", "IPH", "any",
    "RSNA stage 1", "RSNA stage 2", "Weighted log loss", "Calibration", "Calibrated probability",
    # the course's data set
    "Key slice", "Tissue map", "Lesion map", "Mask",
]

#: Bold phrases of the notebooks that are not terms: emphasis, answers, instructions.
NOT_TERMS = {
    "two", "new", "rows", "synthetic", "measure", "which subtype", "cannot be read", "center",
    "width", "stroke", "tilted", "sheared", "you will learn to", "dates", "free text",
    "five named elements", "feet", "top", "blood", "brain", "dark bands and streaks", "less",
    "not", "no shift", "no significant shift", "greatest thickness", "speckled",
}

#: A definition shorter than this says too little to a newcomer.
MIN_WORDS = 25


# ---------------------------------------------------------------------------------------------
# Reading the glossary and the notebooks


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its terms, its definition and the line its first term is on."""

    terms: tuple[str, ...]
    definition: str
    line: int


def parse_glossary(text: str) -> list[Entry]:
    """The entries of every ```{glossary} block of a MyST Markdown text, in order."""
    entries: list[Entry] = []
    block = re.compile(r"^```\{glossary\}[^\n]*\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)
    for match in block.finditer(text):
        first_line = text.count("\n", 0, match.start(1)) + 1
        terms: list[str] = []
        definition: list[str] = []
        start = first_line

        def close(terms: list[str], definition: list[str], start: int) -> None:
            if terms:
                entries.append(Entry(tuple(terms), " ".join(" ".join(definition).split()), start))

        for number, line in enumerate(match.group(1).splitlines(), start=first_line):
            if not line.strip() or (not terms and line.startswith(":")):
                continue  # a blank line, or an option of the directive (":sorted:")
            if line[0].isspace():
                definition.append(line.strip())
            else:
                if definition:  # a term line after a definition starts the next entry
                    close(terms, definition, start)
                    terms, definition = [], []
                if not terms:
                    start = number
                terms.append(line.strip())
        close(terms, definition, start)
    return entries


@cache
def glossary() -> tuple[Entry, ...]:
    return tuple(parse_glossary(GLOSSARY.read_text(encoding="utf-8")))


IRREGULAR = {"sulci": "sulcus", "gyri": "gyrus", "foramina": "foramen", "thalami": "thalamus",
             "fossae": "fossa", "meninges": "meninges", "diploe": "diploe", "atria": "atrium",
             "nuclei": "nucleus", "cerebellar": "cerebellum", "ventricular": "ventricle"}
SPELLING = [("ae", "e"), ("oe", "e"), ("grey", "gray"), ("artefact", "artifact"),
            ("centre", "center")]


def singular(word: str) -> str:
    """An English or Latin plural made singular, leniently (used on both sides of a match)."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(phrase: str) -> str:
    """Lower case, no accents, one spelling, no hyphens or punctuation, singular words."""
    text = unicodedata.normalize("NFKD", phrase)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\u2010-\u2015\-_]", " ", text)
    text = re.sub(r"[^\w/ ]", " ", text)
    words = [singular(w) for w in text.split()]
    while len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    text = " ".join(words)
    for old, new in SPELLING:
        text = text.replace(old, new)
    return text


def variants(phrase: str) -> set[str]:
    """The forms of a marked phrase that may match a term.

    The whole phrase, without and inside its brackets, and the words it starts or ends with: a
    term qualified in passing ("acute clotted blood", "physiological calcifications") is
    defined by the entry of its head ("Acute", "Calcification").
    """
    phrase = " ".join(phrase.split())
    forms = {phrase, re.sub(r"\([^)]*\)", " ", phrase)}
    forms |= set(re.findall(r"\(([^)]*)\)", phrase))
    keys = set()
    for form in filter(None, (normalise(f) for f in forms)):
        words = form.split()
        keys |= {" ".join(words[:n]) for n in range(1, len(words) + 1)}
        keys |= {" ".join(words[n:]) for n in range(len(words))}
    return keys | {k.replace(" ", "") for k in keys}


@cache
def term_index() -> dict[str, Entry]:
    """Every term of the glossary, normalised, to its entry."""
    index: dict[str, Entry] = {}
    for entry in glossary():
        for term in entry.terms:
            key = normalise(term)
            index[key] = entry
            index[key.replace(" ", "")] = entry
    return index


def lookup(phrase: str) -> Entry | None:
    """The entry a phrase written in a notebook names, if any (lenient; the longest term wins, so
    "posterior fossa" is the fossa, not the direction)."""
    index = term_index()
    keys = sorted(variants(phrase), key=lambda k: (-len(k.split()), -len(k), k))
    return next((index[k] for k in keys if k in index), None)


def without_code(markdown: str) -> str:
    """Markdown without fenced code blocks or HTML comments, inline code replaced by NUL."""
    markdown = re.sub(r"^(```|~~~).*?^\1", " ", markdown, flags=re.MULTILINE | re.DOTALL)
    markdown = re.sub(r"<!--.*?-->", " ", markdown, flags=re.DOTALL)
    return re.sub(r"`[^`\n]+`", "\0", markdown)


def term_references(markdown: str) -> list[str]:
    """The targets of the {term} references of a text: {term}`x` → x, {term}`text <x>` → x."""
    targets = []
    for content in re.findall(r"\{term\}`([^`]+)`", markdown):
        explicit = re.fullmatch(r"(?s).*<([^<>]+)>\s*", content)
        targets.append(" ".join((explicit.group(1) if explicit else content).split()))
    return targets


def bold_phrases(markdown: str) -> list[str]:
    """What a text writes in bold (**x** or __x__), outside code.

    A colon right after the bold is kept with it: "**Subfalcine**: the cingulate gyrus..." is a
    run-in label, like "**Time:**".
    """
    text = without_code(markdown)
    found = re.findall(r"\*\*(?=\S)(.+?)(?<=\S)\*\*(:?)", text, flags=re.DOTALL)
    found += re.findall(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)(:?)", text, flags=re.DOTALL)
    return [" ".join(f.split()) + colon for f, colon in found]


def marks_a_term(phrase: str) -> bool:
    """Whether a bold phrase is a term (not code, a link, a label, a sentence or emphasis)."""
    if "\0" in phrase or "](" in phrase or "http" in phrase:
        return False  # code or a link
    if phrase.endswith((":", ".", "?", "!")):
        return False  # a run-in heading or a label ("**Time:**", "**The face.**")
    if len(phrase) < 2 or len(phrase.split()) > 4 or re.search(r"[\d=→\"“”']", phrase):
        return False  # a letter, a number, a formula, a quotation or a sentence
    return normalise(phrase) not in {normalise(p) for p in NOT_TERMS}


def markdown_of(path: Path) -> str:
    """The Markdown cells of a notebook, joined."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


# ---------------------------------------------------------------------------------------------
# The reading itself


class TestReading:
    """The parser, the normaliser and the markers find what they are meant to find."""

    def test_parses_entries_with_several_terms(self) -> None:
        text = ("# G\n\n```{glossary}\n:sorted:\nHU\nHounsfield unit\n  The unit, defined\n"
                "  on two lines.\n\nTag\n  The name of an element.\n```\n\nText.\n\n"
                "```{glossary}\nVR\n  A type.\n```\n")
        entries = parse_glossary(text)
        assert [e.terms for e in entries] == [("HU", "Hounsfield unit"), ("Tag",), ("VR",)]
        assert entries[0].definition == "The unit, defined on two lines."
        assert [e.line for e in entries] == [5, 10, 17]

    @pytest.mark.parametrize(("written", "term"), [
        ("sutures", "Suture"), ("Basal Cisterns", "basal cisterns"), ("sulci", "Sulcus"),
        ("hematocrit", "Haematocrit"), ("diploe", "Diploë"), ("grey–white junction",
         "Gray-white junction"), ("PixelRepresentation", "Pixel Representation"),
        ("the fluid levels", "Fluid level"), ("artifacts", "Artefact"), ("edema", "Oedema"),
    ])
    def test_lenient_match(self, written: str, term: str) -> None:
        assert normalise(term) in variants(written) or normalise(term).replace(" ", "") in variants(
            written)

    def test_different_terms_stay_different(self) -> None:
        assert normalise("Subdural hemorrhage") != normalise("Subarachnoid hemorrhage")
        assert {"acute", "blood", "acute clotted blood"} <= variants("Acute clotted blood")
        assert "clotted" not in variants("Acute clotted blood")
        assert normalise("Thalamus") == "thalamus" and normalise("Pia") == "pia"
        assert variants("Intraventricular hemorrhage (IVH)") >= {"intraventricular hemorrhage",
                                                                  "ivh"}

    def test_finds_marked_terms_outside_code(self) -> None:
        markdown = ("A **crescent** and a __biconvex lens__; see {term}`Hounsfield units <HU>` and "
                    "{term}`gantry tilt`.\n\n```python\nx = 2 ** 3 ** 2  # **not bold**\n```\n"
                    "`**kwargs` and **Time:** and **[a link](x)**; **Uncal**: the temporal lobe")
        assert bold_phrases(markdown) == ["crescent", "Time:", "[a link](x)", "Uncal:",
                                          "biconvex lens"]
        assert [p for p in bold_phrases(markdown) if marks_a_term(p)] == ["crescent",
                                                                          "biconvex lens"]
        assert term_references(markdown) == ["HU", "gantry tilt"]


# ---------------------------------------------------------------------------------------------
# The glossary


class TestGlossary:
    """book/glossary.md: complete, substantial, consistent."""

    def test_required_terms_have_entries(self) -> None:
        terms = {t.lower() for e in glossary() for t in e.terms}
        missing = [t for t in REQUIRED_TERMS if t.lower() not in terms]
        assert missing == []

    def test_entries_are_not_trivial(self) -> None:
        """Each definition is a few sentences a newcomer can learn from, not a stub."""
        thin = []
        for entry in glossary():
            text = re.sub(r"\{term\}`([^`<]*?)(?:\s*<[^>]+>)?`", r"\1", entry.definition)
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links read as their text
            words = re.findall(r"[^\W\d_][\w'’-]*", text)
            own = [w for w in words if normalise(w) not in {normalise(t) for t in entry.terms}]
            if (len(own) < MIN_WORDS or not re.search(r"[.)]$", text)
                    or re.search(r"(?i)\b(todo|tbd|fixme|xxx)\b|\.\.\.|lorem", text)
                    or re.fullmatch(r"(?i)see [^.]+\.?", text)):
                thin.append(f"{entry.terms[0]} (line {entry.line}): {len(own)} words")
        assert thin == []

    def test_terms_are_unique(self) -> None:
        """No term twice (Sphinx warns, and -W fails the book), whatever its case."""
        seen: dict[str, int] = {}
        duplicates = []
        for entry in glossary():
            for term in entry.terms:
                if term.lower() in seen:
                    duplicates.append(f"{term}: lines {seen[term.lower()]} and {entry.line}")
                seen[term.lower()] = entry.line
        assert duplicates == []

    def test_every_entry_names_the_notebook_that_teaches_it(self) -> None:
        """Each entry links to a notebook of the course, by its number, and the notebook exists."""
        names = {p.name for p in NOTEBOOKS}
        problems = []
        for entry in glossary():
            links = re.findall(r"\[([^\]]+)\]\(\.\./notebooks/([^)#]+)\)", entry.definition)
            if not links:
                problems.append(f"{entry.terms[0]}: names no notebook")
            for label, file in links:
                if file not in names:
                    problems.append(f"{entry.terms[0]}: {file} is not a notebook of the course")
                elif not file.startswith(f"{label}_"):
                    problems.append(f"{entry.terms[0]}: [{label}] links to {file}")
        assert problems == []

    @pytest.mark.parametrize("path", [GLOSSARY, INTRO], ids=lambda p: p.name)
    def test_book_references_resolve(self, path: Path) -> None:
        """Every {term} of the book's pages names a term exactly as Sphinx looks it up."""
        terms = {" ".join(t.split()).lower() for e in glossary() for t in e.terms}
        missing = [t for t in term_references(path.read_text(encoding="utf-8"))
                   if t.lower() not in terms]
        assert missing == []


# ---------------------------------------------------------------------------------------------
# The notebooks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_terms_marked_in_notebooks_have_entries(path: Path) -> None:
    """Every {term} reference and every term in bold in a notebook's Markdown is defined."""
    markdown = markdown_of(path)
    marked = term_references(markdown) + [p for p in bold_phrases(markdown) if marks_a_term(p)]
    undefined = sorted({p for p in marked if lookup(p) is None})
    assert undefined == [], (
        f"{path.name}: define these in book/glossary.md, or, if one is emphasis rather than a "
        f"term, write it in italics (or add it to NOT_TERMS in {Path(__file__).name})")
