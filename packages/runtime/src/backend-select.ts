/**
 * Backend selection: the one place that knows which backends exist and
 * which is best on this platform. Everything else asks for "the backend".
 *
 * The best available one is used unless STACKLESS_IO_BACKEND names another
 * or the program calls useBackend(name). A backend is available when its
 * package is installed and it says it can run here (right platform, native
 * part built).
 */
import type { IoBackend, IoBackendModule } from './backend.js';
import { RuntimeError } from './errors.js';
import { KNOWN_BACKENDS, type KnownBackend, notInstalledReason } from './known-backends.js';
import { addPoller, removePoller } from './poller.js';
import { wakeFromLoop } from './wake.js';

let active: IoBackend | null = null;

async function loadModule(known: KnownBackend): Promise<IoBackendModule | string> {
  const pkg = known.package;
  try {
    const mod = (await import(pkg)) as { backend?: IoBackendModule };
    if (mod.backend === undefined) return `${pkg} exports no backend`;
    return mod.backend;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return notInstalledReason(known);
    return `${pkg} failed to load: ${(e as Error).message}`;
  }
}

/** What backend selection knows about one backend (the doctor's view). */
export interface BackendReport {
  /** The backend's name, as useBackend() and STACKLESS_IO_BACKEND take it. */
  name: string;
  /** The package that provides it. */
  package: string;
  /** Why it cannot run here, or null when it can. */
  unavailable: string | null;
  /** The backend's own line about its native part (library, ABI), when it has one. */
  details: string | null;
  /** How results name it here ("kqueue (emulated)" for a build that is not the real thing). */
  label: string;
  /** False when it is used only when asked for by name (a build for tests). */
  byDefault: boolean;
}

/** Every known backend, best first, with why it cannot run here and its own details. */
export async function inspectBackends(): Promise<BackendReport[]> {
  const out: BackendReport[] = [];
  for (const known of KNOWN_BACKENDS) {
    const mod = await loadModule(known);
    const unavailable = typeof mod === 'string' ? mod : mod.unavailableReason();
    const details = typeof mod === 'string' || mod.describe === undefined ? null : mod.describe();
    const label = typeof mod === 'string' ? known.name : (mod.label?.() ?? known.name);
    const byDefault = typeof mod === 'string' ? true : (mod.byDefault?.() ?? true);
    out.push({ name: known.name, package: known.package, unavailable, details, label, byDefault });
  }
  return out;
}

/** Each known backend and why it cannot run here (null: it can). */
export async function availableBackends(): Promise<
  {
    /** The backend's name, as useBackend() and STACKLESS_IO_BACKEND take it. */
    name: string;
    /** Why it cannot run here (not installed, wrong platform, shim not built), or null when it can. */
    unavailable: string | null;
    /** How results name it here: the name, or more when the build is not the real thing ("kqueue (emulated)"). */
    label: string;
    /** False when it is used only when asked for by name (a build for tests). */
    byDefault: boolean;
  }[]
> {
  const out: { name: string; unavailable: string | null; label: string; byDefault: boolean }[] = [];
  for (const known of KNOWN_BACKENDS) {
    const mod = await loadModule(known);
    if (typeof mod === 'string') {
      out.push({ name: known.name, unavailable: mod, label: known.name, byDefault: true });
      continue;
    }
    out.push({ name: known.name, unavailable: mod.unavailableReason(), label: mod.label?.() ?? known.name, byDefault: mod.byDefault?.() ?? true });
  }
  return out;
}

/**
 * Selects and starts the IO backend: `name`, else $STACKLESS_IO_BACKEND,
 * else the best available one. Replaces (and destroys) the backend in use.
 * Fails with a RuntimeError naming the available backends when the chosen
 * one cannot run here.
 *
 * @example
 * ```ts
 * await useBackend('libuv'); // the portable backend, whatever the platform
 * ```
 */
export async function useBackend(name?: string): Promise<IoBackend> {
  if (name !== undefined && typeof name !== 'string') throw new TypeError('useBackend() takes a backend name');
  const wanted = name ?? process.env.STACKLESS_IO_BACKEND ?? '';
  const report = await availableBackends();
  const ok = report.filter((b) => b.unavailable === null).map((b) => b.name);
  let chosen: string | undefined;
  if (wanted !== '') {
    const entry = report.find((b) => b.name === wanted);
    if (entry === undefined || entry.unavailable !== null) {
      const why = entry === undefined ? 'there is no such backend' : entry.unavailable;
      throw new RuntimeError(`IO backend "${wanted}" is not available (${why}); available here: ${ok.join(', ') || 'none'}`);
    }
    chosen = wanted;
  } else {
    chosen = report.find((b) => b.unavailable === null && b.byDefault)?.name;
    if (chosen === undefined) {
      // Only backends a user can install or fix are listed.
      const fixable = report.filter((b) => KNOWN_BACKENDS.find((k) => k.name === b.name)!.published);
      throw new RuntimeError(`no IO backend is available: ${fixable.map((b) => `${b.name}: ${b.unavailable}`).join('; ')}`);
    }
  }
  const mod = (await loadModule(KNOWN_BACKENDS.find((k) => k.name === chosen)!)) as IoBackendModule;
  return installBackend(mod.create(wakeFromLoop));
}

/**
 * Installs a backend instance made elsewhere (a test's fake backend, one
 * created with custom sizes). Replaces and destroys the one in use.
 */
export function installBackend(backend: IoBackend): IoBackend {
  closeBackend();
  active = backend;
  addPoller(backend);
  return backend;
}

/** The backend in use; throws when none was selected yet (await useBackend() first). */
export function currentBackend(): IoBackend {
  if (active === null) throw new RuntimeError('no IO backend selected: await useBackend() first');
  return active;
}

/** The backend in use, or null. */
export function backendOrNull(): IoBackend | null {
  return active;
}

/** Stops and destroys the backend in use (closing its sockets), if any. */
export function closeBackend(): void {
  if (active === null) return;
  const b = active;
  active = null;
  removePoller(b);
  b.destroy();
}
