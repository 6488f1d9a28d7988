"""A source named as people cite it: its publisher and title, from the text or the link.

A source in capcalc's files is either written out ("Damodaran, Cost of Equity
and Capital (US), data as of January 2026, https://…") or a bare link. Written
out, the words before the link are its name. A bare link is named by its
publisher (the site's owner, from a short list of the sites capcalc cites
most, else the site's address) and the title its address spells ("Epoch AI:
machine learning hardware"), so a reader sees who says it before following it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

__all__ = ["PUBLISHERS", "source_name"]

#: Site → publisher, for the sites capcalc's files cite most.
PUBLISHERS: dict[str, str] = {
    "epoch.ai": "Epoch AI",
    "epoch-website.web.app": "Epoch AI",
    "arxiv.org": "arXiv",
    "glennklockwood.com": "Glenn K. Lockwood",
    "datacenterdynamics.com": "DatacenterDynamics",
    "techspot.com": "TechSpot",
    "tomshardware.com": "Tom's Hardware",
    "teslarati.com": "Teslarati",
    "nextbigfuture.com": "NextBigFuture",
    "semianalysis.com": "SemiAnalysis",
    "theregister.com": "The Register",
    "benzinga.com": "Benzinga",
    "globenewswire.com": "GlobeNewswire",
    "huggingface.co": "Hugging Face",
    "nvidia.com": "NVIDIA",
    "investor.nvidia.com": "NVIDIA",
    "ir.tesla.com": "Tesla",
    "tesla.com": "Tesla",
    "x.ai": "xAI",
    "eia.gov": "US Energy Information Administration",
    "videocardz.com": "VideoCardz",
    "intelligence.uptimeinstitute.com": "Uptime Institute",
    "eta-publications.lbl.gov": "Lawrence Berkeley National Laboratory",
    "greaterwrong.com": "LessWrong",
    "alignmentforum.org": "AI Alignment Forum",
}
#: GitHub owners named as their publisher.
_OWNERS = {"epoch-research": "Epoch AI"}
_URL = re.compile(r"https?://\S+")
_NOISE = re.compile(r"^(?:[0-9a-f]{7,40}|index|read|en|news|blob|tree|main|master|abs|pdf)$")


def _publisher(host: str, path: list[str]) -> str:
    host = host.lower().removeprefix("www.")
    if host == "github.com" and path:
        owner = _OWNERS.get(path[0], path[0])
        return f"{owner} (GitHub)"
    return PUBLISHERS.get(host) or next(
        (name for site, name in PUBLISHERS.items() if host.endswith("." + site)), host)


def _title(host: str, path: list[str]) -> str:
    if host.endswith("arxiv.org") and path:
        return f"paper {path[-1]}"
    if host.endswith("github.com") and len(path) >= 2:
        repo, rest = path[1], [p for p in path[2:] if not _NOISE.match(p)]
        return f"{repo}, {rest[-1]}" if rest else repo
    words = [p for p in path if not _NOISE.match(p)
             and sum(c.isalpha() for c in p) > sum(c.isdigit() for c in p)]
    if not words:
        return ""
    last = re.sub(r"\.(html?|php|cfm|pdf|aspx)$", "", unquote(words[-1]))
    last = re.sub(r"[-_+]+", " ", last).strip()
    last = re.sub(r"(?: \d+)+$", "", last)  # a trailing article number
    return last[:1].upper() + last[1:] if last else ""


def source_name(part: str) -> tuple[str, str | None]:
    """``(name, url)`` of one source: the words before its link, else its publisher and
    the title its address spells; ``url`` None when the source has no http(s) link.

    >>> source_name("Damodaran, Cost of Capital (US), January 2026, https://stern.nyu.edu/w")
    ('Damodaran, Cost of Capital (US), January 2026', 'https://stern.nyu.edu/w')
    >>> source_name("https://epoch.ai/data/machine-learning-hardware")
    ('Epoch AI: Machine learning hardware', 'https://epoch.ai/data/machine-learning-hardware')
    >>> source_name("https://github.com/epoch-research/ai-chip-counts/blob/5467a63/data/x.csv")
    ('Epoch AI (GitHub): ai-chip-counts, x.csv', 'https://github.com/epoch-research/ai-chip-counts/blob/5467a63/data/x.csv')
    >>> source_name("https://arxiv.org/abs/2407.21783")
    ('arXiv: paper 2407.21783', 'https://arxiv.org/abs/2407.21783')
    >>> source_name("a paper")
    ('a paper', None)
    """
    found = _URL.search(part)
    if found is None:
        return part, None
    url = found.group(0).rstrip(").,")
    before = part[:found.start()].strip().rstrip(",:(").strip()
    if before and not before.endswith(("mirrored at", "summarised at", "at")):
        return before, url
    pieces = urlsplit(url)
    path = [p for p in pieces.path.split("/") if p]
    publisher = _publisher(pieces.netloc, path)
    title = _title(pieces.netloc.lower(), path)
    name = f"{publisher}: {title}" if title else publisher
    return (f"{before} {name}".strip() if before else name), url
