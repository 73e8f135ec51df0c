# Sphinx configuration for the Stackless IO for TypeScript guides.
#
# Only extensions that ship with Sphinx itself are used, and nothing here
# fetches anything from the network: the docs build on an offline machine
# with Debian's python3-sphinx and graphviz.

import json
import pathlib

project = 'Stackless IO for TypeScript'
author = 'Stackless IO for TypeScript contributors'
copyright = '2026, Stackless IO for TypeScript contributors'
# Every package carries one version (changesets moves them together), so the
# guides take theirs from the runtime's package.json rather than a copy here.
release = json.loads(
    (pathlib.Path(__file__).parent.parent / 'packages/runtime/package.json').read_text()
)['version']
version = '.'.join(release.split('.')[:2])
language = 'en'

extensions = ['sphinx.ext.graphviz']

root_doc = 'index'
# The guides include code from examples/ (checked by build.sh); build.sh
# keeps its compiled output under _build, which Sphinx must not read.
exclude_patterns = ['_build', 'examples']
templates_path = []

# Code blocks are TypeScript unless they say otherwise.
highlight_language = 'ts'
pygments_style = 'sphinx'

# Diagrams are rendered by graphviz's `dot` at build time, as inline SVG.
graphviz_dot = 'dot'
graphviz_output_format = 'svg'

html_theme = 'alabaster'
html_title = 'Stackless IO for TypeScript'
html_static_path = []
html_theme_options = {
    'description': 'Tasklets and channels for Node.js',
    'fixed_sidebar': False,
    'show_relbars': True,
    'page_width': '1040px',
}
html_sidebars = {
    '**': ['about.html', 'navigation.html', 'relations.html', 'searchbox.html'],
}
html_show_sourcelink = False
html_copy_source = False
