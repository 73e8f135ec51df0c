/**
 * `stackless-io doctor`: what this machine gets. The platform (OS, CPU, C
 * library, Node), every known backend with available/unavailable and why,
 * the native shim each native backend would load (path, where it came from,
 * its name and ABI version) and which backend useBackend() picks by default.
 */
import { readFileSync } from 'node:fs';
import { inspectBackends } from './backend-select.js';

/** The C library Node runs on: "glibc 2.36", else what is known. */
function libc(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime !== undefined) return `glibc ${header.glibcVersionRuntime}`;
  return process.platform === 'linux' ? 'not glibc (musl?)' : 'system C library';
}

/** The doctor's report, and whether any backend can run here. */
export async function doctor(): Promise<{ text: string; ok: boolean }> {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const lines = [
    `platform: ${process.platform} ${process.arch}, ${libc()}, Node ${process.version} (@stackless-io/runtime ${version})`,
    'backends, best first:',
  ];
  const report = await inspectBackends();
  const width = Math.max(...report.map((b) => b.name.length));
  for (const b of report) {
    const note = b.label === b.name ? '' : ` as "${b.label}"`;
    const when = b.byDefault ? '' : ', used only when named';
    lines.push(`  ${b.name.padEnd(width)}  ${b.unavailable === null ? `available${note}${when}` : `unavailable: ${b.unavailable}`}`);
    if (b.details !== null && b.unavailable === null) lines.push(`  ${' '.repeat(width)}  shim: ${b.details}`);
  }
  const wanted = process.env.STACKLESS_IO_BACKEND ?? '';
  // The default skips a backend that is used only when named (a build for tests).
  const ok = report.filter((b) => b.unavailable === null && b.byDefault);
  if (wanted !== '') {
    const usable = report.some((b) => b.name === wanted && b.unavailable === null);
    lines.push(`default: ${wanted} (STACKLESS_IO_BACKEND)${usable ? '' : ', which is NOT available here: useBackend() will fail'}`);
  } else {
    lines.push(ok.length > 0 ? `default: ${ok[0]!.name} (the best available; STACKLESS_IO_BACKEND is not set)` : 'default: none, no backend is available');
  }
  return { text: lines.join('\n'), ok: wanted === '' ? ok.length > 0 : report.some((b) => b.name === wanted && b.unavailable === null) };
}
