"""Checks that every diagram of the guides reads at the page's width.

Sphinx embeds each graphviz diagram as an SVG <object> that the theme
shrinks to the width of the text column (``max-width: 100%``), never
enlarges. A diagram wider than the column is scaled down, and its labels
with it: this measures, for each SVG Sphinx wrote, the smallest label as
the reader sees it, in CSS pixels, and fails under MIN_PX.

Usage: python3 docs/check_diagrams.py docs/_build/html
"""

import pathlib
import re
import sys

# The text column of the alabaster theme as conf.py sets it up: the page
# (html_theme_options['page_width'], 1040px) less the sidebar (220px, the
# theme's default) and the body's padding (30px on each side).
COLUMN_PX = 1040 - 220 - 2 * 30
# Smallest label, in CSS pixels, that reads without zooming.
MIN_PX = 10.0
# Graphviz writes SVG sizes in points; a CSS pixel is 0.75 pt.
PX_PER_PT = 4 / 3


def measure(svg):
    """Returns (width in CSS px at full size, scale in the page, smallest font in px)."""
    text = svg.read_text(encoding='utf-8')
    width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', text).group(1))
    view_w = float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"', text).group(1))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', text)]
    full_px = width_pt * PX_PER_PT
    scale = min(1.0, COLUMN_PX / full_px)
    # Font sizes are in viewBox units; the viewBox spans width_pt points.
    smallest = min(sizes) * (width_pt / view_w) * PX_PER_PT * scale if sizes else float('inf')
    return full_px, scale, smallest


def main(html_dir):
    svgs = sorted(pathlib.Path(html_dir, '_images').glob('graphviz-*.svg'))
    if not svgs:
        print('check_diagrams: no graphviz SVG under', html_dir, file=sys.stderr)
        return 1
    names = {}
    # Name each SVG after the page that shows it, so a failure says where.
    for page in pathlib.Path(html_dir).glob('*.html'):
        for ref in re.findall(r'_images/(graphviz-[0-9a-f]+\.svg)', page.read_text(encoding='utf-8')):
            names.setdefault(ref, page.name)
    status = 0
    for svg in svgs:
        full_px, scale, smallest = measure(svg)
        ok = smallest >= MIN_PX
        print('%s %-12s %s: %4.0f px wide, shown at %3.0f%%, smallest label %.1f px' % (
            'ok  ' if ok else 'FAIL', names.get(svg.name, '?'), svg.name, full_px, scale * 100, smallest))
        if not ok:
            status = 1
    if status:
        print('check_diagrams: a diagram is too wide for the %d px column: its labels are under %.0f px '
              '(lay it out top to bottom, or split it)' % (COLUMN_PX, MIN_PX), file=sys.stderr)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
