// A typedoc plugin that links every page of the API reference back to the
// guides. The reference is written into the guides' own output
// (docs/_build/html/api), so a guide is one directory up from the
// reference's root. typedoc's navigationLinks option writes its URLs as
// they are, which is right only on the index page; context.relativeURL()
// climbs from whichever page is being rendered, so the links work from
// api/index.html and from api/classes/x.html alike. docs/build.sh checks
// that every such link names a page Sphinx wrote.
import { JSX } from 'typedoc';

/** The guides, in the order of the toctree in docs/index.rst. */
const GUIDES = [
  ['index.html', 'Overview'],
  ['getting-started.html', 'Getting started'],
  ['tasklets.html', 'Tasklets'],
  ['channels.html', 'Channels'],
  ['backends.html', 'IO backends'],
  ['socket-compat.html', 'socket-compat'],
];

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.hooks.on('sidebar.begin', (context) =>
    JSX.createElement(
      'nav',
      { class: 'tsd-navigation', 'aria-label': 'Guides' },
      JSX.createElement('p', null, JSX.createElement('strong', null, 'Guides')),
      JSX.createElement(
        'ul',
        null,
        ...GUIDES.map(([page, title]) =>
          JSX.createElement('li', null, JSX.createElement('a', { href: context.relativeURL(`../${page}`) }, title)),
        ),
      ),
    ),
  );
  // And at the top of every page's content, where a reader looks first.
  app.renderer.hooks.on('content.begin', (context) =>
    JSX.createElement(
      'p',
      { class: 'tsd-guides-link' },
      JSX.createElement('a', { href: context.relativeURL('../index.html') }, '← The guides'),
      ' (getting started, tasklets, channels, IO backends, socket-compat)',
    ),
  );
}
