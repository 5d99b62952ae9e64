"""The house style of every lrtheory figure: one rc dict, one cycle, one way to save.

Sizes fit a two-column paper (``SINGLE_COLUMN`` = 3.3 in, ``DOUBLE_COLUMN`` = 6.8 in, fonts
8 pt like the caption text); the paper's output is vector PDF with embedded TrueType fonts
and no creation date, so a rebuilt figure is byte-identical (:func:`savefig` also writes PNG
and SVG, chosen by the file's suffix). Lines stay apart in greyscale: the cycle pairs the
Okabe-Ito colour-blind-safe palette (yellow left out: too light on white)
with a distinct dash pattern and marker per line.

Nothing here sets matplotlib's backend: figures are built with the object-oriented API
(:class:`matplotlib.figure.Figure`), which needs no GUI backend, and :func:`use_style` only
changes rcParams inside its ``with`` block.

Example:
  >>> with use_style():
  ...     fig = figure()
  >>> fig.get_size_inches().tolist()
  [3.3, 2.2]
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib as mpl
from cycler import cycler
from matplotlib.figure import Figure

SINGLE_COLUMN = 3.3  # inches: one column of a two-column paper
DOUBLE_COLUMN = 6.8  # inches: full text width

# Okabe & Ito (2008), "Color Universal Design": black, vermillion, blue, bluish green,
# orange, reddish purple, sky blue, in an order where neighbours also differ in lightness.
PALETTE = ("#000000", "#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))
MARKERS = ("o", "s", "^", "v", "D", "x", "+")
CYCLE = cycler(color=PALETTE) + cycler(linestyle=LINESTYLES) + cycler(marker=MARKERS)

STYLE = {
    "figure.figsize": (SINGLE_COLUMN, 2.2),
    "figure.dpi": 150,
    "figure.constrained_layout.use": True,
    "font.family": "serif",
    "font.serif": ["LM Roman 10", "Latin Modern Roman", "CMU Serif", "DejaVu Serif"],
    "mathtext.fontset": "cm",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.prop_cycle": CYCLE,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.35,
    "lines.linewidth": 1.1,
    "lines.markersize": 3.0,
    "legend.frameon": False,
    "savefig.format": "pdf",
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "savefig.dpi": 300,  # only for rasterised artists inside the PDF
    "pdf.fonttype": 42,  # embed TrueType, editable text, accepted by publishers
}


def use_style(**overrides):
    """Context manager applying :data:`STYLE` (plus ``overrides``) to rcParams.

    Artists pick the style up when they are created, so build figures inside the block.

    Example:
      >>> with use_style(**{"font.size": 9}):
      ...     mpl.rcParams["font.size"]
      9.0
    """
    return mpl.rc_context({**STYLE, **overrides})


def figure(width: str | float = "single", height: float | None = None) -> Figure:
    """A new :class:`~matplotlib.figure.Figure` sized for the paper (no pyplot, no backend).

    Args:
      width: "single" (3.3 in), "double" (6.8 in) or inches.
      height: inches; default 2/3 of a single column's width, 0.4 of a double one's.

    Example:
      >>> figure("double").get_size_inches().tolist()
      [6.8, 2.72]
    """
    widths = {"single": SINGLE_COLUMN, "double": DOUBLE_COLUMN}
    if isinstance(width, str):
        if width not in widths:
            raise ValueError(f"width must be 'single', 'double' or inches, got width={width!r}")
        w = widths[width]
    else:
        w = float(width)
        if not w > 0:
            raise ValueError(f"width must be > 0 inches, got width={width!r}")
    h = height if height is not None else (2.2 if w <= SINGLE_COLUMN else round(0.4 * w, 4))
    if not h > 0:
        raise ValueError(f"height must be > 0 inches, got height={height!r}")
    return Figure(figsize=(w, h))


#: Figure formats :func:`savefig` writes, by file suffix.
FORMATS = (".pdf", ".png", ".svg")


def check_figure_path(path: str | Path, name: str = "path") -> Path:
    """``path`` as a :class:`~pathlib.Path` ending in one of :data:`FORMATS`; else ValueError.

    Call it before computing what the figure shows, so a wrong name fails at once.

    Example:
      >>> check_figure_path("out/rate.png").suffix
      '.png'
      >>> check_figure_path("rate.jpg")  # doctest: +ELLIPSIS
      Traceback (most recent call last):
      ...
      ValueError: path must end in .pdf, .png or .svg ...; got path='rate.jpg'
    """
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise ValueError(f"{name} must end in .pdf, .png or .svg (the suffix picks the "
                         f"format); got {name}={str(path)!r}")
    return p


def savefig(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` at ``path`` (PDF, PNG or SVG by its suffix), creating its folders.

    PDF and SVG are vector with no creation date (and fixed SVG ids), so a rebuilt figure
    is byte-identical; PNG is 300 dpi. The suffix is checked before anything is drawn.

    Args:
      fig: the figure (an axis' figure is ``ax.figure``).
      path: where to write; ends in ``.pdf``, ``.png`` or ``.svg``.

    Returns:
      The path written.

    Example:
      >>> import tempfile, pathlib
      >>> with use_style():
      ...     fig = figure()
      ...     _ = fig.add_subplot().plot([0, 1], [1, 0])
      >>> out = savefig(fig, pathlib.Path(tempfile.mkdtemp()) / "a" / "b.pdf")
      >>> out.read_bytes()[:4]
      b'%PDF'
    """
    path = check_figure_path(path)
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fmt = path.suffix.lower()[1:]
    path.parent.mkdir(parents=True, exist_ok=True)
    # no dates in the file: the same figure gives the same bytes (make reproduce diffs)
    metadata = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}[fmt]
    # fontTools logs harmless warnings about font-file timestamps while it subsets
    fonttools = logging.getLogger("fontTools")
    level = fonttools.level
    fonttools.setLevel(logging.ERROR)
    try:
        with use_style(**{"svg.hashsalt": "lrtheory"}):
            fig.savefig(path, format=fmt, metadata=metadata)
    finally:
        fonttools.setLevel(level)
    return path
