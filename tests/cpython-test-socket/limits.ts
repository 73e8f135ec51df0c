// Which answers of a backend mark a test as beyond that backend rather than
// failed. The libuv backend is portable Node (net, dgram): where Node offers
// no way to do what a test asks, it answers with the errno CPython gets on a
// platform without the feature (the backend's README lists these as its
// intended differences). A native backend on Linux has the whole kernel
// behind it, so the same answer there is a failure.

/** errno names a non-native backend may answer for "I cannot do this". */
export const CANNOT_ERRNOS = new Set(['ENOSYS', 'EOPNOTSUPP', 'ENOPROTOOPT', 'ESOCKTNOSUPPORT', 'EAFNOSUPPORT', 'EPROTONOSUPPORT']);

/** Backends whose operations are the kernel's own, through our native shim. */
export const NATIVE = new Set(['epoll', 'io_uring', 'kqueue', 'iocp']);

/**
 * Tests a backend cannot pass for a reason that is not a single errno
 * (keyed by backend, then `Class.method`), each with that reason.
 */
export const KNOWN_LIMITS: Record<string, Record<string, string>> = {
  libuv: {},
};
