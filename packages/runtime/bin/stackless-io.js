#!/usr/bin/env node
// The `stackless-io` command (src/cli.ts). A plain file in git rather than
// dist/cli.js itself, so that npm links it even in a fresh clone, where
// dist/ is built after npm has linked the workspace's bins.
import '../dist/cli.js';
