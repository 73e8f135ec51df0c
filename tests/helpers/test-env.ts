// What every test run sets up before any backend is loaded.
//
// The kqueue backend (macOS, BSD) runs here through its Linux emulation,
// labelled "kqueue (emulated)": the test suites opt in to that build, so
// that `npm test` alone runs the conformance and differential suites on it.
// It is never picked by default, and a user's program never sees this.
process.env.SIO_KQUEUE_EMULATED ??= '1';
